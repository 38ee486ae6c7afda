import { ReleasePhaseStepInput, watchReleasePhase } from '../shared/rollout/release-phase';
import { rolloutStep } from '../shared/rollout/step-handler';

/** Step "ReleasePhase": start the release's one-off task once, park the task token for its ECS events, reconcile. */
export const handler = rolloutStep('release-phase', ReleasePhaseStepInput(), watchReleasePhase);
