import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { afterAll, describe, expect, it } from 'vitest';
import { createEcsClient } from '../../shared/ecs/ecs-client';
import { callSlipway, startSlipwayProcess, type SlipwayProcess } from '../support/slipway-process';
import { until } from '../support/until';

/**
 * kill -9 mid-bake, as a user meets it: `npm start` runs as a child process (its ECS simulator keeping its state in
 * the data dir, as ECS outlives a crashed Slipway in AWS); a canary sits at 10 % in a long bake, another canary at
 * its gate awaiting an operator's approval; the whole process group is killed and started again on the same data
 * dir. Within a bounded wait each release is settled (its execution died with the process, so Slipway has ECS roll
 * it back) and ECS sends all production traffic to the previous task definition: no traffic stays split with
 * nothing watching it.
 */
const MINUTE_MS = 100;
/** Far longer than a restart: the bake and the gate are still on when the server comes back. */
const LONG_MINUTES = 1440;
const SETTLE_TIMEOUT_MS = 30_000;

let server: SlipwayProcess | undefined;
let dataDir: string | undefined;
const clients: ECSClient[] = [];
afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Release = {
  id: string;
  status: string;
  current: boolean;
  rollout: { phase: string | null; traffic_percent: number | null; phase_ends_at: string | null; message: string | null; task_definition_arn?: string | null } | null;
};

const ecsOf = (process: SlipwayProcess): ECSClient => {
  if (!process.ecsEndpoint) throw new Error('npm start printed no ECS simulator endpoint');
  const client = createEcsClient({ endpoint: process.ecsEndpoint });
  clients.push(client);
  return client;
};

const serviceOf = async (ecs: ECSClient, service: string) => {
  const found = (await ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }))).services?.[0];
  if (!found) throw new Error(`ECS has no service local/${service}`);
  return found;
};

/** Production traffic on the service as ECS reports it: the share of its service deployment that is shifting, if any. */
const trafficOf = async (ecs: ECSClient, service: string) => {
  const { currentServiceDeployment, taskDefinition } = await serviceOf(ecs, service);
  const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [currentServiceDeployment ?? ''] }));
  const deployment = serviceDeployments?.[0];
  return {
    taskDefinition,
    serviceDeploymentArn: currentServiceDeployment,
    status: deployment?.status,
    newRevisionPercent: deployment?.status === 'IN_PROGRESS' ? deployment.targetServiceRevision?.requestedProductionTrafficWeight : undefined,
  };
};

const runningRevisions = async (ecs: ECSClient, service: string) => {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'local', serviceName: service }));
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'local', tasks: taskArns ?? [] }));
  return new Set((tasks ?? []).filter((task) => task.lastStatus === 'RUNNING').map((task) => task.taskDefinitionArn));
};

describe('kill -9 while canaries bake and wait at their gate', () => {
  it('rolls each back once Slipway is up again: the release failed, all traffic on the previous task definition', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-canary-crash-'));
    const env = { ECS_SIMULATOR_MINUTE_MS: String(MINUTE_MS) };
    server = await startSlipwayProcess(dataDir, { fresh: true, env });
    const adminKey = server.adminKey as string;
    const call = <T = Release>(method: string, path: string, body?: unknown) =>
      callSlipway(server as SlipwayProcess, adminKey, method, path, { body }).then((answer) => answer as { status: number; body: T });
    let ecs = ecsOf(server);

    const canaries = [
      { app: 'baking', deployment: { strategy: 'canary', canary_percent: 10, canary_bake_minutes: LONG_MINUTES }, phase: 'canary' },
      {
        app: 'gated',
        deployment: { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 0, gate: { checks: [], approval: true, timeout_minutes: LONG_MINUTES } },
        phase: 'awaiting_approval',
      },
    ];
    const started = [];
    for (const { app, deployment, phase } of canaries) {
      expect((await call('POST', '/apps', { name: app, cluster: 'local', service: `${app}-svc`, deployment })).status).toBe(201);
      const previous = (await serviceOf(ecs, `${app}-svc`)).taskDefinition;
      const build = await call<{ id: string }>('POST', `/apps/${app}/builds`, { image: `registry.local/${app}:v2`, sha: 'abcdef1' });
      const release = await call('POST', `/apps/${app}/releases`, { slug: build.body.id });
      expect(release.status).toBe(201);
      started.push({ app, phase, previous, id: release.body.id });
    }

    for (const { app, phase, previous, id } of started) {
      const held = await until(`${app} at 10 % in its ${phase}`, async () => {
        const release = (await call('GET', `/apps/${app}/releases/${id}`)).body;
        return release.rollout?.phase === phase && release.rollout.phase_ends_at !== null ? release : undefined;
      });
      expect(held).toMatchObject({ status: 'pending', rollout: { traffic_percent: 10 } });
      // ECS splits the traffic: 10 % to the release's revision, the rest still on the previous one.
      const traffic = await trafficOf(ecs, `${app}-svc`);
      expect(traffic).toMatchObject({ taskDefinition: held.rollout?.task_definition_arn, status: 'IN_PROGRESS', newRevisionPercent: 10 });
      expect(await runningRevisions(ecs, `${app}-svc`)).toEqual(new Set([previous, held.rollout?.task_definition_arn]));
    }

    await server.kill9();
    server = await startSlipwayProcess(dataDir, { fresh: false, env });
    ecs = ecsOf(server);

    for (const { app, previous, id } of started) {
      const settled = await until(
        `${app}'s release settled after the restart`,
        async () => {
          const release = (await call('GET', `/apps/${app}/releases/${id}`)).body;
          return release.status !== 'pending' ? release : undefined;
        },
        { timeoutMs: SETTLE_TIMEOUT_MS },
      );
      expect(settled).toMatchObject({ status: 'failed', current: false, rollout: { traffic_percent: 0 } });
      expect(settled.rollout?.message).toContain('ECS was told to roll it back');
      // ECS rolled it back: the previous task definition serves all production traffic, and only it runs.
      const traffic = await trafficOf(ecs, `${app}-svc`);
      expect(traffic).toMatchObject({ taskDefinition: previous, newRevisionPercent: undefined });
      expect(traffic.status).not.toBe('IN_PROGRESS');
      await until(`${app}'s new tasks stopped`, async () => ((await runningRevisions(ecs, `${app}-svc`)).size === 1 ? true : undefined));
      expect(await runningRevisions(ecs, `${app}-svc`)).toEqual(new Set([previous]));
    }

    // The queue moved on: the next release of an app rolls out.
    const build = await call<{ id: string }>('POST', '/apps/baking/builds', { image: 'registry.local/baking:v3', sha: 'abcdef2' });
    const next = await call('POST', '/apps/baking/releases', { slug: build.body.id });
    await until('the next release at its canary', async () =>
      (await call('GET', `/apps/baking/releases/${next.body.id}`)).body.rollout?.phase === 'canary' ? true : undefined,
    );
  }, 240_000);
});
