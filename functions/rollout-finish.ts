import { FinishStepInput } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { finishRollout } from '../shared/rollout/steps';

/** Steps "Finish" and "Salvage": settle the release and pass the app's lock on. */
export const handler = rolloutStep('finish', FinishStepInput, async (input) => {
  const release = await finishRollout(input);
  return { status: release.status };
});
