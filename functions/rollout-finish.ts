import { autoRollBackAfterRollout } from '../shared/operations/auto-rollback';
import { finishPromotionOf } from '../shared/operations/promotions';
import { FinishStepInput } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { finishRollout } from '../shared/rollout/steps';

/**
 * Steps "Finish" and "Salvage": settle the release and pass the app's lock on; then the promotion that made
 * the release is finished if this was its last target to settle, and on an app with auto_rollback a release
 * that ended unknown is rolled back (once: a retried step finds its rollback made).
 */
export const handler = rolloutStep('finish', FinishStepInput(), async (input) => {
  const release = await finishRollout(input);
  await finishPromotionOf(release);
  await autoRollBackAfterRollout(release);
  return { status: release.status };
});
