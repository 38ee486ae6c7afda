import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { ROLES } from '../domain/access';
import { AppName, boundedBytes } from './common';

export const CreateApiKeyRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      role: z.enum(ROLES),
      apps: z.optional(z.array(AppName).check(z.minLength(1), z.maxLength(100))).check(z.meta({ description: 'Limit the key to these apps; omit for all apps.' })),
      email: z.optional(boundedBytes(z.email(), 254)).check(z.meta({ description: 'Who holds the key; recorded as the user of what it does.' })),
    })
    .register(z.globalRegistry, { id: 'CreateApiKeyRequest' }),
);
export type CreateApiKeyRequest = z.infer<ReturnType<typeof CreateApiKeyRequest>>;
