import * as z from 'zod';
import { SIGNAL_STATUSES } from '../domain/signal-releases';
import { MAX_BUILD_COMMITS } from '../domain/shipped-commits';
import { ClientTime, CommitId, HttpUrl, shortText } from './common';

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
