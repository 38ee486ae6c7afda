import { EcsRolloutEvent } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { onEcsEvent } from '../shared/rollout/steps';

/** Target of the EventBridge rule for ECS's deployment and hook state changes: moves the rollout waiting on them. */
export const handler = rolloutStep('ecs-deployment-event', EcsRolloutEvent(), onEcsEvent);
