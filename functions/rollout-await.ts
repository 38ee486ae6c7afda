import { AwaitStepInput } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { watchDeployment } from '../shared/rollout/steps';

/** Step "AwaitDeployment": park the task token for ECS's events and reconcile with ECS. */
export const handler = rolloutStep('await-deployment', AwaitStepInput(), watchDeployment);
