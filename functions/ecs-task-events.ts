import { TaskStateChange } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { onTaskStateChange } from '../shared/rollout/task-progress';

/** Target of the EventBridge rule for "ECS Task State Change": shows a rolling-out release's progress as ECS makes it. */
export const handler = rolloutStep('ecs-task-event', TaskStateChange(), onTaskStateChange);
