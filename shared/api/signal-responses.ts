import * as z from 'zod/mini';
import { RELEASE_STATUSES } from '../domain/model';
import { SIGNAL_STATUSES } from '../domain/signal-releases';
import { AppRef, Timestamp, Uuid } from './common';

/** What the API answers about releases declared by Echoes clients, apart from the requests (signals.ts): the functions that parse those construct none of this at a cold start. */

export const SignalReleaseResponse = z
  .object({
    id: Uuid,
    version: z.string(),
    name: z.nullable(z.string()),
    ref: z.nullable(z.string()),
    date: Timestamp(),
    url: z.nullable(z.string()),
    commits: z.array(z.string()),
    deliverables: z.array(z.string()),
    status: z.enum(['pending', ...SIGNAL_STATUSES]).check(z.meta({ description: 'failure once any deliverable failed, success once all succeeded' })),
    releases: z
      .array(
        z.object({
          app: AppRef(),
          id: Uuid,
          version: z.nullable(z.int().check(z.positive())).check(z.meta({ description: 'Null only while the release is still being recorded' })),
          status: z.nullable(z.enum(RELEASE_STATUSES)),
        }),
      )
      .check(z.meta({ description: 'The recorded release of each deliverable, on its app (GET /apps/{app}/releases/{id})' })),
    created_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'SignalRelease' });
export type SignalReleaseResponse = z.infer<typeof SignalReleaseResponse>;
