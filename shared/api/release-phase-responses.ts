import * as z from 'zod/mini';
import { RELEASE_PHASE_STATUSES } from '../domain/release-phase';
import { Timestamp } from './common';

/** What the API answers about releases' release phases, apart from an app's settings (release-phase.ts): the apps function, which parses those, constructs none of this at a cold start. */

/** A release's run of its app's release phase. */
export const ReleasePhaseResponse = z
  .object({
    status: z.enum(RELEASE_PHASE_STATUSES).check(
      z.meta({
        description: 'running (also before its task started), succeeded (exit code 0), failed (another exit code, or stopped without one), timed_out, or skipped (a rollback, unless the app sets on_rollback)',
      }),
    ),
    exit_code: z.nullable(z.int()).check(z.meta({ description: "The app container's exit code; null while it runs, when it timed out or stopped without one." })),
    started_at: z.nullable(Timestamp()),
    finished_at: z.nullable(Timestamp()),
    task_arn: z.nullable(z.string()).check(z.meta({ description: 'The one-off ECS task; null until RunTask started it, and when skipped.' })),
    output_url: z
      .nullable(z.string())
      .check(z.meta({ description: "Where its output is read (GET …/release-phase/output); null when its container logs nowhere Slipway can read, or no task ran." })),
  })
  .register(z.globalRegistry, { id: 'ReleasePhase' });
export type ReleasePhaseResponse = z.infer<typeof ReleasePhaseResponse>;

/** GET /apps/{app}/releases/{release}/release-phase/output */
export const ReleasePhaseOutputResponse = z
  .object({
    lines: z.array(z.object({ at: Timestamp(), text: z.string() })).check(z.meta({ description: 'What the task printed, oldest first.' })),
    complete: z.boolean().check(z.meta({ description: 'true once the release phase has ended: no line will follow.' })),
  })
  .register(z.globalRegistry, { id: 'ReleasePhaseOutput' });
export type ReleasePhaseOutputResponse = z.infer<typeof ReleasePhaseOutputResponse>;
