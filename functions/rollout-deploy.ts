import { DeployStepInput } from '../shared/rollout/contract';
import { rolloutStep } from '../shared/rollout/step-handler';
import { prepareDeployment } from '../shared/rollout/steps';

/** Step "Deploy": mark the release pending and register its task definition revision. */
export const handler = rolloutStep('deploy', DeployStepInput(), ({ rollout }) => prepareDeployment(rollout));
