import * as z from 'zod';
import { RELEASE_PHASE_BOUNDS, RELEASE_PHASE_STATUSES } from '../domain/release-phase';
import { Timestamp } from './common';

const { timeoutMinutes, commandParts, commandPartLength } = RELEASE_PHASE_BOUNDS;

/** An app's release phase (Heroku's name): a one-off command each release runs, in its own revision, before it takes traffic. */
export const ReleasePhaseSettingsSchema = z
  .strictObject({
    command: z
      .array(z.string().min(1).max(commandPartLength))
      .min(commandParts.min)
      .max(commandParts.max)
      .meta({ description: 'The app container\'s command in the one-off task, as an argv (["npm", "run", "migrate"]); for a shell line, ["sh", "-c", "…"].' }),
    timeout_minutes: z
      .number()
      .int()
      .min(timeoutMinutes.min)
      .max(timeoutMinutes.max)
      .default(timeoutMinutes.default)
      .meta({ description: `Past this the task is stopped and the release fails (${timeoutMinutes.min}-${timeoutMinutes.max}, default ${timeoutMinutes.default}).` }),
    on_rollback: z
      .boolean()
      .default(false)
      .meta({ description: 'Rollbacks run it too (default false: a rescue is not held back by a migration; their release phase shows skipped).' }),
  })
  .meta({
    id: 'ReleasePhaseSettings',
    description:
      "A command each deploy, promotion, auto-release and config change runs as a one-off ECS task of the release's own task definition revision, before its deployment: exit code 0 deploys it; anything else fails it and leaves the service untouched.",
  });

/** A release's run of its app's release phase. */
export const ReleasePhaseResponse = z
  .object({
    status: z.enum(RELEASE_PHASE_STATUSES).meta({
      description: 'running (also before its task started), succeeded (exit code 0), failed (another exit code, or stopped without one), timed_out, or skipped (a rollback, unless the app sets on_rollback)',
    }),
    exit_code: z.number().int().nullable().meta({ description: "The app container's exit code; null while it runs, when it timed out or stopped without one." }),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    task_arn: z.string().nullable().meta({ description: 'The one-off ECS task; null until RunTask started it, and when skipped.' }),
    output_url: z
      .string()
      .nullable()
      .meta({ description: "Where its output is read (GET …/release-phase/output); null when its container logs nowhere Slipway can read, or no task ran." }),
  })
  .meta({ id: 'ReleasePhase' });
export type ReleasePhaseResponse = z.infer<typeof ReleasePhaseResponse>;

/** GET /apps/{app}/releases/{release}/release-phase/output */
export const ReleasePhaseOutputResponse = z
  .object({
    lines: z.array(z.object({ at: Timestamp, text: z.string() })).meta({ description: 'What the task printed, oldest first.' }),
    complete: z.boolean().meta({ description: 'true once the release phase has ended: no line will follow.' }),
  })
  .meta({ id: 'ReleasePhaseOutput' });
export type ReleasePhaseOutputResponse = z.infer<typeof ReleasePhaseOutputResponse>;
