import * as z from 'zod';
import { ROLES } from '../domain/access';
import { AppName, boundedBytes } from './common';

export const CreateApiKeyRequest = z
  .strictObject({
    role: z.enum(ROLES),
    apps: z.array(AppName).min(1).max(100).optional().meta({ description: 'Limit the key to these apps; omit for all apps.' }),
    email: boundedBytes(z.email(), 254).optional().meta({ description: 'Who holds the key; recorded as the user of what it does.' }),
  })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;
