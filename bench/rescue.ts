import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalSlipway } from '../local/slipway';
import { createEcsClient } from '../shared/ecs/ecs-client';
import { logger } from '../shared/observability/logger';
import { apiClient } from './http-load';

export type RescueFigures = {
  rounds: number;
  queuedBehindBadRollout: number;
  /** The simulator's pace: a normal deployment's batch, a `slow` one's. */
  batchMs: number;
  slowBatchMs: number;
  /** Per round, ms: rollback POST to the service running only the old image, and the rescue deployment's own time in ECS. */
  rescueMs: number[];
  deploymentMs: number[];
  /** What the bad rollout alone would have taken: the slow deployment running to its end, measured once. */
  badRolloutMs: number;
  /** State transitions of the releases involved (superseded in flight, superseded queued, the rollback): the most any took. */
  maxTransitions: number;
};

const BATCH_MS = 300;
const SLOW_BATCH_MS = 3_000;
/** The target: the simulator's own deployment time plus at most this. */
export const RESCUE_OVERHEAD_TARGET_MS = 1_000;

/**
 * Time to rescue: a slow bad rollout is in flight (the simulator deploys `slow` images one batch every
 * 3 s) with releases queued behind it; an operator rolls back. Measured from the rollback POST to the
 * moment ECS runs only the old image (one deployment left, completed, all its tasks running), polling the
 * simulator's DescribeServices every 10 ms, next to that rescue deployment's own duration in ECS.
 */
export const measureRescue = async (rounds: number, queued: number): Promise<RescueFigures> => {
  logger.setLogLevel('SILENT');
  const slipway = await startLocalSlipway({ port: 0, rollouts: { ecs: { batchIntervalMs: BATCH_MS, slowBatchIntervalMs: SLOW_BATCH_MS } } });
  const rollouts = slipway.rollouts;
  const adminKey = slipway.bootstrapAdminKey;
  if (!rollouts || !adminKey) throw new Error('the rescue bench needs local rollouts and a fresh store');
  const ecs = createEcsClient({ endpoint: rollouts.ecs.endpoint });
  const api = apiClient(slipway.url, adminKey);
  type Release = { id: string; status: string; rollout: { deployment_id: string | null } | null };
  const involved: string[] = [];
  const until = async (probe: () => Promise<boolean>) => {
    while (!(await probe())) await sleep(10);
  };
  const serviceOf = async (service: string) =>
    (await ecs.send(new DescribeServicesCommand({ cluster: 'bench', services: [service] }))).services?.[0];
  const imageOf = async (taskDefinition: string | undefined) =>
    (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition?.containerDefinitions?.[0]?.image;

  const app = async (name: string) => {
    await api('POST', '/apps', { name, cluster: 'bench', service: `${name}-svc` });
    const build = async (tag: string) => (await api<{ id: string }>('POST', `/apps/${name}/builds`, { image: `registry.local/${name}:${tag}` })).id;
    const deploy = async (slug: string) => api<Release>('POST', `/apps/${name}/releases`, { slug });
    const good = await deploy(await build('good'));
    await until(async () => (await api<Release>('GET', `/apps/${name}/releases/${good.id}`)).status === 'succeeded');
    return { build, deploy, release: (id: string) => api<Release>('GET', `/apps/${name}/releases/${id}`) };
  };

  try {
    const baseline = await app('rescue-baseline');
    const slowStarted = Date.now();
    const slow = await baseline.deploy(await baseline.build('bad-slow'));
    await until(async () => (await baseline.release(slow.id)).status === 'succeeded');
    const badRolloutMs = Date.now() - slowStarted;

    const rescueMs: number[] = [];
    const deploymentMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const name = `rescue-${round}`;
      const target = await app(name);
      const bad = await target.deploy(await target.build('bad-slow'));
      await until(async () => Boolean((await target.release(bad.id)).rollout?.deployment_id));
      involved.push(bad.id);
      for (let index = 0; index < queued; index++) involved.push((await target.deploy(await target.build(`next-${index}`))).id);

      const posted = Date.now();
      involved.push((await api<Release>('POST', `/apps/${name}/releases`, { release: 'v1' })).id);
      let deployment: { createdAt?: Date; updatedAt?: Date } | undefined;
      await until(async () => {
        const service = await serviceOf(`${name}-svc`);
        const only = service?.deployments?.length === 1 ? service.deployments[0] : undefined;
        if (only?.rolloutState !== 'COMPLETED' || service?.runningCount !== service?.desiredCount) return false;
        if ((await imageOf(only.taskDefinition)) !== `registry.local/${name}:good`) return false;
        deployment = only;
        return true;
      });
      rescueMs.push(Date.now() - posted);
      deploymentMs.push((deployment?.updatedAt?.getTime() ?? Number.NaN) - (deployment?.createdAt?.getTime() ?? Number.NaN));
    }
    const transitions = await Promise.all(involved.map(async (id) => (await rollouts.stepFunctions.finished(id)).transitions));
    return {
      rounds,
      queuedBehindBadRollout: queued,
      batchMs: BATCH_MS,
      slowBatchMs: SLOW_BATCH_MS,
      rescueMs,
      deploymentMs,
      badRolloutMs,
      maxTransitions: Math.max(...transitions),
    };
  } finally {
    ecs.destroy();
    await slipway.close();
  }
};
