import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { strategyFor, type CanarySettings } from '../../shared/domain/deployment-strategy';
import { ecsDeploymentConfiguration, registerReleaseTaskDefinition } from '../../shared/ecs/ecs-adapter';
import { createEcsClient } from '../../shared/ecs/ecs-client';
import type { EcsEvent } from '../../local/ecs-simulator/model';
import { startEcsSimulator, type EcsSimulator } from '../../local/ecs-simulator/server';
import { ECS_SIMULATOR_STATE_FILE } from '../../local/ecs-simulator/snapshot';
import { until } from '../support/until';

/**
 * ECS outlives the process that told it to deploy: a simulator started again on the same state file finds its
 * services, task definitions, alarms and deployments where they stood, and carries on with them.
 */
const MINUTE_MS = 100;

const opened: { simulator: EcsSimulator; client: ECSClient }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const { simulator, client } of opened.splice(0)) {
    client.destroy();
    await simulator.close();
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const stateFileIn = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-ecs-state-'));
  dirs.push(dir);
  return join(dir, ECS_SIMULATOR_STATE_FILE);
};

const start = async (stateFile: string, events: EcsEvent[] = []) => {
  const simulator = await startEcsSimulator({ stateFile, batchIntervalMs: 10, minuteMs: MINUTE_MS, onDeploymentEvent: (event) => void events.push(event) });
  const client = createEcsClient({ endpoint: simulator.endpoint });
  opened.push({ simulator, client });
  return { simulator, client, events };
};

/** Ends a simulator as a kill -9 ends the process it runs in: no more batches, nothing written after. */
const crash = async (simulator: EcsSimulator) => {
  const index = opened.findIndex((entry) => entry.simulator === simulator);
  const [entry] = opened.splice(index, 1);
  entry?.client.destroy();
  await simulator.close();
};

/** A canary as Slipway asks ECS for one: 10 % held by PAUSE hooks (the bake, continued by ECS at its timeout; a gate). */
const canary = (bakeMinutes: number, gate?: CanarySettings['gate']) =>
  ecsDeploymentConfiguration(
    strategyFor({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: bakeMinutes, bake_minutes: 0, alarms: ['web-5xx'], ...(gate ? { gate } : {}) })
      .deployment,
  );

const deployCanary = async (client: ECSClient, configuration: ReturnType<typeof canary>) => {
  const { taskDefinitionArn } = await registerReleaseTaskDefinition(
    { cluster: 'local', service: 'web', container: null, image: 'registry.local/web:v2', releaseId: 'release-2', version: 2, config: null },
    client,
  );
  const updated = await client.send(new UpdateServiceCommand({ cluster: 'local', service: 'web', taskDefinition: taskDefinitionArn, deploymentConfiguration: configuration }));
  return { taskDefinitionArn, arn: updated.service?.currentServiceDeployment ?? '' };
};

const serviceDeployment = async (client: ECSClient, arn: string) =>
  (await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0];

const describeWeb = async (client: ECSClient) =>
  (await client.send(new DescribeServicesCommand({ cluster: 'local', services: ['web'] }))).services?.[0];

/**
 * Lets the deployment take its canary share, as Slipway does (nothing is held before the first shift), and waits
 * until it is there and held for its bake.
 */
const atCanary = async (simulator: EcsSimulator, client: ECSClient, arn: string) => {
  const firstHold = await until('the hold before the first shift', async () => {
    const found = await serviceDeployment(client, arn);
    return found?.lifecycleHookDetails?.length ? found.lifecycleHookDetails : undefined;
  }, { intervalMs: 10 });
  for (const { hookId } of firstHold) await client.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'CONTINUE' }));
  return until('the canary share held', async () => {
    const held = (await serviceDeployment(client, arn))?.lifecycleHookDetails;
    return simulator.trafficOf('local', 'web')?.[1]?.percent === 10 && held?.length ? held : undefined;
  }, { intervalMs: 10 });
};

describe('the ECS simulator started again on its state file', () => {
  it('reports the same service, task definitions and deployment mid-canary, and carries the canary on to completion', async () => {
    const stateFile = await stateFileIn();
    const first = await start(stateFile);
    const { taskDefinitionArn, arn } = await deployCanary(first.client, canary(1000));
    await atCanary(first.simulator, first.client, arn);
    const before = await serviceDeployment(first.client, arn);
    const serviceBefore = await describeWeb(first.client);
    const trafficBefore = first.simulator.trafficOf('local', 'web');
    await crash(first.simulator);

    const second = await start(stateFile);
    expect(second.simulator.trafficOf('local', 'web')).toEqual(trafficBefore);
    const after = await serviceDeployment(second.client, arn);
    expect(after).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { requestedProductionTrafficWeight: 10 } });
    expect(after?.lifecycleHookDetails).toEqual(before?.lifecycleHookDetails);
    expect(after?.lifecycleHookDetails).toEqual([expect.objectContaining({ status: 'AWAITING_ACTION', timeoutAction: 'CONTINUE' })]);
    const serviceAfter = await describeWeb(second.client);
    expect(serviceAfter).toEqual(serviceBefore);
    expect((await second.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))).taskDefinition?.containerDefinitions?.[0]?.image).toBe(
      'registry.local/web:v2',
    );

    // The bake's hook, released as Slipway's promote releases it: the canary goes on to all traffic and completes.
    const hookId = after?.lifecycleHookDetails?.[0]?.hookId ?? '';
    await second.client.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'CONTINUE' }));
    await until('the canary completed', async () => ((await serviceDeployment(second.client, arn))?.status === 'SUCCESSFUL' ? true : undefined));
    expect(second.simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn, percent: 100 }]);
    expect(second.events).toContainEqual(expect.objectContaining({ detail: expect.objectContaining({ eventName: 'SERVICE_DEPLOYMENT_COMPLETED' }) }));
  });

  it('times out the hooks whose expiry passed while it was down, as ECS would have: a bake goes on, a gate rolls back', async () => {
    const bakeFile = await stateFileIn();
    const baking = await start(bakeFile);
    const bake = await deployCanary(baking.client, canary(5));
    const bakeExpiry = (await atCanary(baking.simulator, baking.client, bake.arn))[0]?.expiresAt?.getTime() ?? 0;
    await crash(baking.simulator);
    expect(bakeExpiry).toBeGreaterThan(Date.now());

    const gateFile = await stateFileIn();
    const gated = await start(gateFile);
    const gate = await deployCanary(gated.client, canary(2, { checks: ['ci/smoke'], approval: true, timeout_minutes: 1 }));
    const gateHold = await atCanary(gated.simulator, gated.client, gate.arn);
    const gateExpiry = gateHold.find((hook) => hook.timeoutAction === 'ROLLBACK')?.expiresAt?.getTime() ?? 0;
    await crash(gated.simulator);
    expect(gateExpiry).toBeGreaterThan(Date.now());

    // Down past both hooks' expiry (5 simulated minutes of bake; the gate's 2 + 1).
    await sleep(6 * MINUTE_MS);
    expect(Math.max(bakeExpiry, gateExpiry)).toBeLessThan(Date.now());

    const bakedOn = await start(bakeFile);
    await until('the baked canary completed', async () => ((await serviceDeployment(bakedOn.client, bake.arn))?.status === 'SUCCESSFUL' ? true : undefined));
    expect(bakedOn.simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn: bake.taskDefinitionArn, percent: 100 }]);

    const gatedOn = await start(gateFile);
    const rolledBack = await until('the gated canary rolled back', async () => {
      const found = await serviceDeployment(gatedOn.client, gate.arn);
      return found?.status === 'ROLLBACK_SUCCESSFUL' ? found : undefined;
    });
    expect(rolledBack.statusReason).toContain('timed out');
    expect(gatedOn.simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn: expect.stringContaining('web:1'), percent: 100 }]);
  });

  it('keeps the alarms set before the restart: a canary watching one in ALARM rolls back', async () => {
    const stateFile = await stateFileIn();
    const first = await start(stateFile);
    await describeWeb(first.client);
    await fetch(`${first.simulator.endpoint}/simulator/alarms/web-5xx`, { method: 'POST', body: JSON.stringify({ state: 'ALARM' }) });
    await crash(first.simulator);

    const second = await start(stateFile);
    const { arn } = await deployCanary(second.client, canary(1000));
    const rolledBack = await until('the canary rolled back', async () => {
      const found = await serviceDeployment(second.client, arn);
      return found?.status === 'ROLLBACK_SUCCESSFUL' ? found : undefined;
    });
    expect(rolledBack.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] });
    expect(second.simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn: expect.stringContaining('web:1'), percent: 100 }]);
  });

  it('refuses a damaged state file with a sentence saying what to do', async () => {
    const stateFile = await stateFileIn();
    const first = await start(stateFile);
    await describeWeb(first.client);
    await crash(first.simulator);
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ format: 1 });
    await writeFile(stateFile, '{"format": 1, "mod');
    await expect(start(stateFile)).rejects.toThrow(/ECS simulator's state in .* is damaged; move it aside/);
  });
});
