import * as z from 'zod';
import { RELEASE_STATUSES } from '../domain/model';
import { SIGNAL_STATUSES } from '../domain/signal-releases';
import { MAX_BUILD_COMMITS } from './builds';
import { AppRef, ClientTime, CommitId, HttpUrl, Timestamp, Uuid, shortText } from './common';

/**
 * Echoes' releases API, served under Slipway's own base URL so that a CI script written for it works by
 * changing only the endpoint and the key: `POST /v1/signals/releases`, `PATCH /v1/signals/releases/{id}`.
 */
const MAX_DELIVERABLES = 20;

export const SignalReleaseRequest = z
  .strictObject({
    version: shortText(255).min(1).meta({ description: "The release's version; each deliverable's build gets it as its version label." }),
    commits: z
      .array(CommitId)
      .max(MAX_BUILD_COMMITS)
      .meta({ description: `The shas the release ships (at most ${MAX_BUILD_COMMITS}); those a recent build of the app lists get its author, time and message.` }),
    name: shortText(255).optional().meta({ description: "The release's name." }),
    ref: shortText(255).optional().meta({ description: "The release's tag (its commit sha, or its name): each build's tag label." }),
    date: ClientTime.optional().meta({ description: 'When the release happened (default: when it is declared): each release\'s started_at.' }),
    deliverables: z
      .array(shortText(255).min(1))
      .min(1)
      .max(MAX_DELIVERABLES)
      .refine((names) => new Set(names).size === names.length, { message: 'must not name an app twice' })
      .meta({ description: 'The external apps the release is of: one recorded release each, all under the one id answered.' }),
    url: HttpUrl.optional().meta({ description: 'Where the release can be seen.' }),
  })
  .meta({ id: 'SignalReleaseRequest' });
export type SignalReleaseRequest = z.infer<typeof SignalReleaseRequest>;

export const SignalStatusRequest = z
  .strictObject({ status: z.enum(SIGNAL_STATUSES).meta({ description: 'How the release went on every deliverable.' }) })
  .meta({ id: 'SignalStatusRequest' });
export type SignalStatusRequest = z.infer<typeof SignalStatusRequest>;

export const SignalReleaseResponse = z
  .object({
    id: Uuid,
    version: z.string(),
    name: z.string().nullable(),
    ref: z.string().nullable(),
    date: Timestamp,
    url: z.string().nullable(),
    commits: z.array(z.string()),
    deliverables: z.array(z.string()),
    status: z.enum(['pending', ...SIGNAL_STATUSES]).meta({ description: 'failure once any deliverable failed, success once all succeeded' }),
    releases: z
      .array(
        z.object({
          app: AppRef,
          id: Uuid,
          version: z.number().int().positive().nullable().meta({ description: 'Null only while the release is still being recorded' }),
          status: z.enum(RELEASE_STATUSES).nullable(),
        }),
      )
      .meta({ description: 'The recorded release of each deliverable, on its app (GET /apps/{app}/releases/{id})' }),
    created_at: Timestamp,
  })
  .meta({ id: 'SignalRelease' });
export type SignalReleaseResponse = z.infer<typeof SignalReleaseResponse>;
