import { handler as apps } from '../functions/apps';
import { handler as builds } from '../functions/builds';
import { handler as configVars } from '../functions/config-vars';
import { handler as ecsDeploymentEvents } from '../functions/ecs-deployment-events';
import { handler as ecsTaskEvents } from '../functions/ecs-task-events';
import { handler as releasePhaseEvents } from '../functions/release-phase-events';
import { handler as hooks } from '../functions/hooks';
import { handler as keys } from '../functions/keys';
import { handler as pipelines } from '../functions/pipelines';
import { handler as releases } from '../functions/releases';
import { handler as rolloutAwait } from '../functions/rollout-await';
import { handler as rolloutDeploy } from '../functions/rollout-deploy';
import { handler as rolloutFinish } from '../functions/rollout-finish';
import { handler as rolloutLock } from '../functions/rollout-lock';
import { handler as rolloutReleasePhase } from '../functions/rollout-release-phase';
import { handler as statuses } from '../functions/statuses';
import { openApiDocumentText } from '../shared/api/openapi';
import { dashboardFunction } from '../shared/http/dashboard';
import { openApiFunction } from '../shared/http/openapi-function';
import { buildDashboard } from '../web/build';
import type { RolloutStep } from '../infra/rollout';
import type { FunctionName } from '../shared/api/routes';
import type { HttpHandler } from './api-gateway';
import { lambdaContext } from './lambda-context';

/**
 * The very Lambda handlers the CDK stack deploys, by function name. Only the dashboard's files and the OpenAPI
 * document differ in origin: built in-process at the first request, where the Lambda reads those built at synth.
 */
export const httpHandlers: Record<FunctionName, HttpHandler> = {
  apps,
  builds,
  releases,
  'config-vars': configVars,
  statuses,
  pipelines,
  keys,
  hooks,
  openapi: openApiFunction(async () => openApiDocumentText()),
  dashboard: dashboardFunction(async () => buildDashboard()),
};

/** The rollout state machine's step Lambdas, by the step names its CDK construct gives them. */
export const rolloutStepHandlers: Record<RolloutStep, (event: unknown) => Promise<unknown>> = {
  lock: (event) => rolloutLock(event, lambdaContext('rollout-lock')),
  deploy: (event) => rolloutDeploy(event, lambdaContext('rollout-deploy')),
  'release-phase': (event) => rolloutReleasePhase(event, lambdaContext('rollout-release-phase')),
  await: (event) => rolloutAwait(event, lambdaContext('rollout-await')),
  finish: (event) => rolloutFinish(event, lambdaContext('rollout-finish')),
};

/** The target of the EventBridge rule for stopped release phase tasks. */
export const releasePhaseEventsHandler = (event: unknown): Promise<unknown> => releasePhaseEvents(event, lambdaContext('release-phase-events'));

/** The target of the EventBridge rule for ECS deployment state changes. */
export const deploymentEventsHandler = (event: unknown): Promise<unknown> =>
  ecsDeploymentEvents(event, lambdaContext('ecs-deployment-events'));

/** The target of the EventBridge rule for ECS task state changes. */
export const taskEventsHandler = (event: unknown): Promise<unknown> => ecsTaskEvents(event, lambdaContext('ecs-task-events'));
