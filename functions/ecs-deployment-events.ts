import { DeploymentStateChange } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { onDeploymentStateChange } from '../shared/rollout/steps';

/** Target of the EventBridge rule for "ECS Deployment State Change": resumes the rollout waiting on it. */
export const handler = rolloutStep('ecs-deployment-event', DeploymentStateChange, onDeploymentStateChange);
