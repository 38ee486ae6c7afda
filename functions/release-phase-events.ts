import { ReleasePhaseTaskStopped, onReleasePhaseTaskStopped } from '../shared/rollout/release-phase';
import { rolloutStep } from '../shared/rollout/step-handler';

/** Target of the EventBridge rule for stopped release phase tasks ("ECS Task State Change"): resumes the rollout waiting on it. */
export const handler = rolloutStep('release-phase-event', ReleasePhaseTaskStopped(), onReleasePhaseTaskStopped);
