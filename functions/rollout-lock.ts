import { LockStepInput } from '../shared/rollout/contract';
import { acquireRolloutLock } from '../shared/rollout/lock';
import { rolloutStep } from '../shared/rollout/step-handler';

/** Step "Lock": take the app's rollout lock, or park until it is handed over. */
export const handler = rolloutStep('lock', LockStepInput(), acquireRolloutLock);
