import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { RELEASE_PHASE_BOUNDS } from '../domain/release-phase';

const { timeoutMinutes, commandParts, commandPartLength } = RELEASE_PHASE_BOUNDS;

/** An app's release phase (Heroku's name): a one-off command each release runs, in its own revision, before it takes traffic. */
export const ReleasePhaseSettingsSchema = builtOnFirstUse(() =>
  z
    .strictObject({
      command: z
        .array(z.string().check(z.minLength(1), z.maxLength(commandPartLength)))
        .check(
          z.minLength(commandParts.min),
          z.maxLength(commandParts.max),
          z.meta({ description: 'The app container\'s command in the one-off task, as an argv (["npm", "run", "migrate"]); for a shell line, ["sh", "-c", "…"].' }),
        ),
      timeout_minutes: z
        ._default(z.int().check(z.gte(timeoutMinutes.min), z.lte(timeoutMinutes.max)), timeoutMinutes.default)
        .check(z.meta({ description: `Past this the task is stopped and the release fails (${timeoutMinutes.min}-${timeoutMinutes.max}, default ${timeoutMinutes.default}).` })),
      on_rollback: z
        ._default(z.boolean(), false)
        .check(z.meta({ description: 'Rollbacks run it too (default false: a rescue is not held back by a migration; their release phase shows skipped).' })),
    })
    .check(
      z.meta({
        id: 'ReleasePhaseSettings',
        description:
          "A command each deploy, promotion, auto-release and config change runs as a one-off ECS task of the release's own task definition revision, before its deployment: exit code 0 deploys it; anything else fails it and leaves the service untouched.",
      }),
    ),
);
