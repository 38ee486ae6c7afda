import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { SIGNAL_STATUSES } from '../domain/signal-releases';
import { MAX_BUILD_COMMITS } from '../domain/shipped-commits';
import { ClientTime, CommitId, HttpUrl, shortText } from './common';

/**
 * Echoes' releases API, served under Slipway's own base URL so that a CI script written for it works by
 * changing only the endpoint and the key: `POST /v1/signals/releases`, `PATCH /v1/signals/releases/{id}`.
 */
const MAX_DELIVERABLES = 20;

export const SignalReleaseRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      version: shortText(255).check(
        z.minLength(1),
        z.meta({ description: "The release's version; each deliverable's build gets it as its version label." }),
      ),
      commits: z
        .array(CommitId())
        .check(
          z.maxLength(MAX_BUILD_COMMITS),
          z.meta({ description: `The shas the release ships (at most ${MAX_BUILD_COMMITS}); those a recent build of the app lists get its author, time and message.` }),
        ),
      name: z.optional(shortText(255)).check(z.meta({ description: "The release's name." })),
      ref: z.optional(shortText(255)).check(z.meta({ description: "The release's tag (its commit sha, or its name): each build's tag label." })),
      date: z.optional(ClientTime()).check(z.meta({ description: 'When the release happened (default: when it is declared): each release\'s started_at.' })),
      deliverables: z
        .array(shortText(255).check(z.minLength(1)))
        .check(
          z.minLength(1),
          z.maxLength(MAX_DELIVERABLES),
          z.refine((names) => new Set(names).size === names.length, { message: 'must not name an app twice' }),
          z.meta({ description: 'The external apps the release is of: one recorded release each, all under the one id answered.' }),
        ),
      url: z.optional(HttpUrl()).check(z.meta({ description: 'Where the release can be seen.' })),
    })
    .register(z.globalRegistry, { id: 'SignalReleaseRequest' }),
);
export type SignalReleaseRequest = z.infer<ReturnType<typeof SignalReleaseRequest>>;

export const SignalStatusRequest = builtOnFirstUse(() =>
  z
    .strictObject({ status: z.enum(SIGNAL_STATUSES).check(z.meta({ description: 'How the release went on every deliverable.' })) })
    .register(z.globalRegistry, { id: 'SignalStatusRequest' }),
);
export type SignalStatusRequest = z.infer<ReturnType<typeof SignalStatusRequest>>;
