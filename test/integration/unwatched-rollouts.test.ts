import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { handler as reconcileQueues } from '../../functions/rollout-reconcile';
import { lambdaContext } from '../../local/lambda-context';
import { config } from '../../shared/config/config';
import { logger } from '../../shared/observability/logger';
import { mutateRelease } from '../../shared/store/releases-store';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { appReleases } from '../support/app-releases';
import { until } from '../support/until';

/**
 * Canaries whose rollout ends without ECS's verdict: nothing would watch their bake or gate any more, so each is
 * rolled back by ECS and its release failed, rather than left with 10 % of the traffic on a revision nobody watches.
 */
const DEADLINE_SECONDS = 8;
let slipway: SlipwayWithEcs;

type Release = {
  id: string;
  version: number;
  app: { id: string };
  status: string;
  current: boolean;
  rollout: {
    phase: string | null;
    traffic_percent: number | null;
    phase_ends_at: string | null;
    message: string | null;
    task_definition_arn?: string | null;
  } | null;
};

const LONG_CANARY = { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1440 };

const { releaseOn, read, reaching } = appReleases<Release>(() => slipway);
const atCanary = (app: string, id: string) =>
  reaching(app, id, `${app} at 10 %`, (release) => release.rollout?.phase === 'canary' && release.rollout.phase_ends_at !== null);
/** Settled by whoever settles it (here not always its execution: a decider of its queue). */
const settled = (app: string, id: string) => reaching(app, id, `${app} settled`, (release) => release.status !== 'pending' && release.status !== 'queued');
const trafficOn = (app: string) => rolloutsOf(slipway).ecs.trafficOf('local', `${app}-svc`)?.map((share) => share.percent);
const stopExecution = async (releaseId: string) => {
  const executions = rolloutsOf(slipway).stepFunctions;
  const sfn = new SFNClient({ endpoint: executions.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await sfn.send(new StopExecutionCommand({ executionArn: executions.execution(releaseId)?.executionArn }));
  await executions.finished(releaseId);
  sfn.destroy();
};

describe('a canary whose rollout ends without ECS having settled it', () => {
  beforeAll(async () => {
    // A `slow` image's batches come a minute apart: its canary cannot reach its first shift within the deadline.
    slipway = await startSlipwayWithEcs({ minuteMs: 300, slowBatchIntervalMs: 60_000 }, { deadlineSeconds: DEADLINE_SECONDS });
  });
  afterAll(() => slipway?.close());

  it('is rolled back when its execution was lost before it recorded its service deployment', async () => {
    const release = await releaseOn('unrecorded', LONG_CANARY);
    await atCanary('unrecorded', release.id);
    expect(trafficOn('unrecorded')).toEqual([90, 10]);
    // Settled as any ended rollout is, by whichever pass of the reconciler comes first: its failure logged (and
    // counted, in Lambda), for the alarms to see.
    const lines: string[] = [];
    // Powertools writes ERROR lines with console.error: to stderr.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    logger.setLogLevel('ERROR');
    try {
      await stopExecution(release.id);
      // What a crash between UpdateService and the wait step leaves: ECS deploys, the release knows nothing of it yet.
      await mutateRelease(release.app.id, release.version, (current) => ({
        rollout: current.rollout && { ...current.rollout, deployment_id: null, service_deployment_arn: null },
      }));
      await reconcileQueues({}, lambdaContext('rollout-reconcile'));
      await settled('unrecorded', release.id);
    } finally {
      logger.setLogLevel(config().logLevel);
      stderr.mockRestore();
    }
    const failed = await settled('unrecorded', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { traffic_percent: 0 } });
    expect(failed.rollout?.message).toBe(
      'Its rollout execution ended before the release was settled. ECS was told to roll it back, so no traffic stays on a revision nothing watches.',
    );
    expect(lines.flatMap((line) => line.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'release failed', releaseId: release.id, app: 'unrecorded' }),
    );
    expect(trafficOn('unrecorded')).toEqual([100]);
  });

  it('is rolled back when its deployment outlives the rollout deadline (beyond what its holds may take), and the release failed saying so', async () => {
    // The deadline allows for the canary's bake (a simulated minute here): the slow scale-up is what outlives it.
    const release = await releaseOn('overdue', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1 }, 'registry.local/overdue:v2-slow');
    const failed = await settled('overdue', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toBe(
      `The deployment did not finish within ${DEADLINE_SECONDS} s. ECS was told to roll it back, so no traffic stays on a revision nothing watches.`,
    );
    expect(trafficOn('overdue')).toEqual([100]);
  });

  it('is rolled back when a step fails for good (Salvage) while it bakes', async () => {
    const release = await releaseOn('salvaged', LONG_CANARY);
    await atCanary('salvaged', release.id);
    // ECS refuses the wait step's DescribeServices: it fails, is retried, then the rollout goes to Salvage.
    rolloutsOf(slipway).ecs.injectFault({ operation: 'DescribeServices', error: 'ClientException', message: 'Injected refusal.', times: 1000 });
    const failed = await settled('salvaged', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { traffic_percent: 0 } });
    expect(failed.rollout?.message).toMatch(/Injected refusal\. ECS was told to roll it back, so no traffic stays on a revision nothing watches\.$/);
    expect(trafficOn('salvaged')).toEqual([100]);
  });
});

describe('a canary whose deployment ECS settled after its execution was lost', () => {
  // The reconciler's periodic pass (every 5 minutes, scaled) kept out of the way: it would roll the canary back first.
  beforeAll(async () => {
    slipway = await startSlipwayWithEcs({ minuteMs: 300 }, { timeScale: 0.2 });
  });
  afterAll(() => slipway?.close());

  it('is settled as ECS says when its deployment ended after its execution was lost: a canary that completed succeeded', async () => {
    const release = await releaseOn('completed', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 3 });
    const atTen = await atCanary('completed', release.id);
    await stopExecution(release.id);
    // ECS goes on by itself: the bake's hold times out (CONTINUE), all traffic shifts, the deployment completes.
    const newRevision = atTen.rollout?.task_definition_arn;
    await until('ECS completed the canary', async () => {
      const traffic = rolloutsOf(slipway).ecs.trafficOf('local', 'completed-svc');
      return traffic?.length === 1 && traffic[0]?.taskDefinitionArn === newRevision ? true : undefined;
    });
    expect((await read('completed', release.id)).status).toBe('pending');

    await reconcileQueues({}, lambdaContext('rollout-reconcile'));
    expect(await settled('completed', release.id)).toMatchObject({ status: 'succeeded', current: true, rollout: { traffic_percent: 100 } });
  });
});
