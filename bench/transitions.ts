import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { LocalRollouts } from '../local/rollout-runtime';
import { startLocalSlipway } from '../local/slipway';
import { getEcsClient } from '../shared/ecs/ecs-client';
import { logger } from '../shared/observability/logger';
import { apiClient } from './http-load';
import { config } from '../shared/config/config';

export type TransitionFigures = { label: string; releases: number; min: number; median: number; max: number };

const summarize = (label: string, counts: number[]): TransitionFigures => {
  const sorted = [...counts].sort((a, b) => a - b);
  return {
    label,
    releases: counts.length,
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
};

/**
 * Slipway's own share of a rollout: from sending the create to the execution's end, minus the time the
 * ECS simulator's deployment took (its createdAt to its completion).
 */
export type RolloutOverhead = { releases: number; p50Ms: number; p99Ms: number; deploymentP50Ms: number };

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** How long the simulator's newest (PRIMARY) deployment of the service ran. */
const lastDeploymentMs = async (cluster: string, service: string): Promise<number> => {
  const { services } = await getEcsClient().send(new DescribeServicesCommand({ cluster, services: [service] }));
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (!primary?.createdAt || !primary.updatedAt || primary.rolloutState !== 'COMPLETED') {
    throw new Error(`no completed deployment of ${cluster}/${service}`);
  }
  return primary.updatedAt.getTime() - primary.createdAt.getTime();
};

/** What the rollout phase leaves for the cold-init probes: a live environment and ids in it. */
export type RolloutEnvironment = {
  url: string;
  rollouts: LocalRollouts;
  /** The variables a deployed function gets, pointed at this local Slipway's services. */
  env: Record<string, string>;
  adminKey: string;
  appId: string;
  params: Record<string, string>;
};

/**
 * Local Slipway with rollouts (ECS simulator + local Step Functions, deployed timings), in this process.
 * First the state transitions per release, as the local Step Functions counts them (every state entered
 * and every retry, which is what Step Functions bills): releases one after another, then a burst on one
 * app, where all but the first wait for the lock. Then `andThen` runs against the same services.
 */
export const measureTransitions = async (
  counts: { sequential: number; burst: number },
  andThen: (environment: RolloutEnvironment) => Promise<void>,
): Promise<{ transitions: TransitionFigures[]; overhead: RolloutOverhead }> => {
  // This process prints the bench's own progress; the server's request logs would drown it.
  logger.setLogLevel('SILENT');
  const slipway = await startLocalSlipway({ port: 0 });
  try {
    const rollouts = slipway.rollouts;
    const adminKey = slipway.bootstrapAdminKey;
    if (!rollouts || !adminKey) throw new Error('the transitions bench needs local rollouts and a fresh store');
    const api = apiClient(slipway.url, adminKey);
    const app = await api<{ id: string }>('POST', '/apps', { name: 'bench', cluster: 'bench', service: 'bench-svc' });
    const build = await api<{ id: string }>('POST', '/apps/bench/builds', { image: 'registry.local/bench:v1' });
    const deploy = () => api<{ id: string }>('POST', '/apps/bench/releases', { slug: build.id });

    const sequential: number[] = [];
    const overheads: number[] = [];
    const deployments: number[] = [];
    let last = '';
    for (let index = 0; index < counts.sequential; index++) {
      const sentAt = Date.now();
      last = (await deploy()).id;
      const execution = await rollouts.stepFunctions.finished(last);
      sequential.push(execution.transitions);
      const deploymentMs = await lastDeploymentMs('bench', 'bench-svc');
      deployments.push(deploymentMs);
      overheads.push((execution.stopDate?.getTime() ?? Number.NaN) - sentAt - deploymentMs);
    }
    const burst = await Promise.all(Array.from({ length: counts.burst }, deploy));
    const queued = await Promise.all(burst.map(async ({ id }) => (await rollouts.stepFunctions.finished(id)).transitions));
    const failed = rollouts.stepFunctions.executions().filter((execution) => execution.status !== 'SUCCEEDED');
    if (failed.length > 0) throw new Error(`${failed.length} rollouts did not succeed: ${JSON.stringify(failed[0])}`);

    const env: Record<string, string> = { AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    // What the local server configured, handed to the fresh processes as a Lambda's environment.
    const { tableName, dynamodbEndpoint, sfnEndpoint, ecsEndpoint, stateMachineArn } = config();
    const configured = {
      SLIPWAY_TABLE: tableName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      SFN_ENDPOINT: sfnEndpoint,
      ECS_ENDPOINT: ecsEndpoint,
      ROLLOUT_STATE_MACHINE_ARN: stateMachineArn,
    };
    for (const [name, value] of Object.entries(configured)) if (value) env[name] = value;
    await andThen({
      url: slipway.url,
      rollouts,
      env,
      adminKey,
      appId: app.id,
      params: { app: 'bench', release: last, build: build.id, slug: build.id },
    });
    return {
      transitions: [summarize('one release at a time', sequential), summarize(`${counts.burst} released at once on one app`, queued)],
      overhead: {
        releases: overheads.length,
        p50Ms: percentile(overheads, 50),
        p99Ms: percentile(overheads, 99),
        deploymentP50Ms: percentile(deployments, 50),
      },
    };
  } finally {
    await slipway.close();
  }
};
