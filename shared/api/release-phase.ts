import * as z from 'zod';
import { RELEASE_PHASE_BOUNDS } from '../domain/release-phase';

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
