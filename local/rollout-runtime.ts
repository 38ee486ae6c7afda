import { createEcsClient, useEcsClient } from '../shared/ecs/ecs-client';
import { DEPLOYMENT_EVENT_PATTERN, TASK_EVENT_PATTERN } from '../shared/rollout/contract';
import { cutPausesShort } from '../shared/runtime/pause';
import { matchesPattern } from './event-pattern';
import { handler as reconcileQueues } from '../functions/rollout-reconcile';
import { logger } from '../shared/observability/logger';
import { listApps } from '../shared/store/apps-store';
import { createSfnClient, useSfnClient } from '../shared/rollout/sfn';
import { startEcsSimulator, type EcsSimulator, type EcsSimulatorOptions } from './ecs-simulator/server';
import { deploymentEventsHandler, releasePhaseEventsHandler, rolloutStepHandlers, taskEventsHandler } from './handlers';
import { RELEASE_PHASE_TASK_EVENT_PATTERN, releasePhaseTaskEventMatches } from '../shared/rollout/release-phase';
import { lambdaContext } from './lambda-context';
import { startStepFunctionsEmulator, type StepFunctionsEmulator } from './step-functions';
import { configure } from '../shared/config/config';

export type LocalRolloutOptions = {
  /** Scales the state machine's timeouts, polls and retry intervals (tests: e.g. 0.001). */
  timeScale?: number;
  /** ROLLOUT_DEADLINE_SECONDS for releases started by this server (default: the environment's). */
  deadlineSeconds?: number;
  ecs?: Omit<EcsSimulatorOptions, 'onDeploymentEvent' | 'onTaskEvent'>;
};

export type LocalRollouts = {
  stepFunctions: StepFunctionsEmulator;
  ecs: EcsSimulator;
  close: () => Promise<void>;
};

/** Matches the rate of the reconcile schedule in infra/rollout.ts. */
const RECONCILE_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Rollouts on a laptop: the ECS SIMULATOR (its deployment and task events routed to their handlers
 * through the patterns of the EventBridge rules that route them in AWS) and the local Step Functions API running the
 * synthesized rollout state machine; every adapter in this process is pointed at them. Needs the
 * store in place (it resumes the queues the data directory holds).
 */
export const startLocalRollouts = async (options: LocalRolloutOptions = {}): Promise<LocalRollouts> => {
  // Deployments the simulator carries on from the data dir may send events at once; they wait (in order, as
  // EventBridge keeps them for a target) until the handlers can reach the local Step Functions API.
  let consumersReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (consumersReady = resolve));
  let closing = false;
  const ecs = await startEcsSimulator({
    // A service the simulator creates on first reference gets the container its app names.
    initialContainerName: async (ref) =>
      (await listApps()).find((app) => app.cluster === ref.cluster && app.service === ref.service)?.container,
    ...options.ecs,
    onDeploymentEvent: async (event) => {
      await ready;
      if (!closing && matchesPattern(DEPLOYMENT_EVENT_PATTERN, event)) await deploymentEventsHandler(event);
    },
    // Two rules take task state changes, as in AWS: a service's tasks move a rollout's progress; a stopped
    // release phase task settles its phase.
    onTaskEvent: async (event) => {
      await ready;
      if (closing) return;
      if (matchesPattern(TASK_EVENT_PATTERN, event)) await taskEventsHandler(event);
      if (matchesPattern(RELEASE_PHASE_TASK_EVENT_PATTERN, event) && releasePhaseTaskEventMatches(event.detail)) await releasePhaseEventsHandler(event);
    },
  });
  useEcsClient(createEcsClient({ endpoint: ecs.endpoint }));
  const stepFunctions = await startStepFunctionsEmulator({
    handlers: rolloutStepHandlers,
    ecsEndpoint: ecs.endpoint,
    timeScale: options.timeScale,
  });
  useSfnClient(createSfnClient(stepFunctions.endpoint));
  const { rolloutDeadlineSeconds } = configure({
    ecsEndpoint: ecs.endpoint,
    // The simulator serves the CloudWatch Logs its one-off tasks write.
    logsEndpoint: ecs.endpoint,
    // Bake times are counted in the simulator's minutes, and so are the ends of the phases releases show.
    ecsMinuteMs: ecs.minuteMs,
    sfnEndpoint: stepFunctions.endpoint,
    stateMachineArn: stepFunctions.stateMachineArn,
    ...(options.deadlineSeconds === undefined ? {} : { rolloutDeadlineSeconds: options.deadlineSeconds }),
  });
  consumersReady();
  // Executions live in this process only: whatever was rolling out when it last stopped is settled, promotions cut
  // short are carried on, and queues resume.
  await reconcileQueues({}, lambdaContext('rollout-reconcile'));
  // The schedule the CDK stack gives the same function in AWS.
  const reconciler = setInterval(
    () => void reconcileQueues({}, lambdaContext('rollout-reconcile')).catch((error: unknown) => logger.warn('queue reconcile failed', { error: error as Error })),
    RECONCILE_INTERVAL_MS * (options.timeScale ?? 1),
  );
  reconciler.unref();
  return {
    stepFunctions,
    ecs,
    close: async () => {
      closing = true;
      clearInterval(reconciler);
      // ECS first: its queued events are dropped instead of resuming executions that are being stopped, and
      // task event handlers waiting to read progress give up.
      cutPausesShort();
      await ecs.close();
      await stepFunctions.close();
      disableLocalRollouts();
      configure({ rolloutDeadlineSeconds, ecsMinuteMs: 60_000 });
    },
  };
};

/** Without a state machine configured, a recorded release simply stays `queued`. */
export const disableLocalRollouts = (): void => {
  configure({ ecsEndpoint: undefined, logsEndpoint: undefined, sfnEndpoint: undefined, stateMachineArn: undefined });
};
