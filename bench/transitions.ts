import { startLocalSlipway } from '../local/slipway';
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

/** What the rollout phase leaves for the cold-init probes: a live environment and ids in it. */
export type RolloutEnvironment = {
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
  count: number,
  andThen: (environment: RolloutEnvironment) => Promise<void>,
): Promise<TransitionFigures[]> => {
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
    let last = '';
    for (let index = 0; index < count; index++) {
      last = (await deploy()).id;
      sequential.push((await rollouts.stepFunctions.finished(last)).transitions);
    }
    const burst = await Promise.all(Array.from({ length: count }, deploy));
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
    await andThen({ env, adminKey, appId: app.id, params: { app: 'bench', release: last, build: build.id, slug: build.id } });
    return [summarize('one release at a time', sequential), summarize(`${count} released at once on one app`, queued)];
  } finally {
    await slipway.close();
  }
};
