import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { anyApiKeyExists } from '../shared/store/api-keys-store';
import { createStore, useStore } from '../shared/store/client';
import { DEFAULT_TABLE_NAME } from '../shared/store/table-design';
import { createApiKey } from '../shared/operations/api-keys';
import { treatOtherLeaseHoldersAsGone } from '../shared/runtime/lease-holder';
import { createApiGateway } from './api-gateway';
import { checkDataDir, claimDataDir } from './data-dir';
import { startDynalite } from './dynalite';
import { publishEndpoint, withdrawEndpoint } from './endpoint-file';
import { httpHandlers } from './handlers';
import { disableLocalRollouts, startLocalRollouts, type LocalRolloutOptions, type LocalRollouts } from './rollout-runtime';
import { startLocalHooks, type LocalHooksOptions } from './hooks-runtime';
import { ensureTable } from './table';
import { ECS_SIMULATOR_STATE_FILE } from './ecs-simulator/snapshot';
import { startEventSweeper } from './event-sweeper';
import { configure } from '../shared/config/config';
import { localSecretStore, useSecretStore } from '../shared/secrets/secret-store';

/** The LOCAL SECRET STORE's folder under the data dir: secret config values, one 0600 file each. */
const LOCAL_SECRET_STORE_DIR = 'local-secret-store';

/**
 * With a data dir, the ECS simulator keeps its state there, its services and deployments as its one-off tasks (release
 * phases): ECS outlives a crash of this process, as it does in AWS.
 */
const withEcsState = (rollouts: LocalRolloutOptions | undefined, dataDir: string | undefined): LocalRolloutOptions | undefined =>
  dataDir
    ? {
        ...rollouts,
        ecs: { stateFile: join(dataDir, ECS_SIMULATOR_STATE_FILE), oneOffTaskFile: join(dataDir, 'ecs-one-off-tasks.json'), ...rollouts?.ecs },
      }
    : rollouts;

export type LocalSlipway = {
  url: string;
  /** Set only when this start created the first admin key; it is never shown again. */
  bootstrapAdminKey: string | null;
  /** The ECS simulator and the local Step Functions, unless started with `rollouts: false`. */
  rollouts: LocalRollouts | null;
  close: () => Promise<void>;
};

/**
 * Slipway on a laptop: dynalite (on disk under `dataDir`, or in memory), the same handlers behind a
 * local API Gateway, and an admin key minted on the first start so the API can be used at once.
 */
export const startLocalSlipway = async (options: {
  port?: number;
  host?: string;
  dataDir?: string | undefined;
  /** false: no state machine, so releases stay `queued`. */
  rollouts?: LocalRolloutOptions | false;
  /** Webhook delivery settings: tests shorten the retry backoff. */
  hooks?: LocalHooksOptions;
}): Promise<LocalSlipway> => {
  const { dataDir } = options;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const releaseDataDir = dataDir ? await claimDataDir(dataDir) : async () => {};
  // Whatever started is stopped again, in reverse order, if a later step fails.
  const stops: (() => Promise<void>)[] = [releaseDataDir];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    if (dataDir) await checkDataDir(dataDir);
    const dynamo = await startDynalite({ path: dataDir });
    stops.push(dynamo.close);
    const tableName = DEFAULT_TABLE_NAME;
    configure({ tableName, dynamodbEndpoint: dynamo.endpoint });
    const store = createStore({ tableName, endpoint: dynamo.endpoint });
    useStore(store);
    // This server alone uses its data: leases (Idempotency-Keys, promotions) of an earlier process died with it.
    treatOtherLeaseHoldersAsGone();
    useSecretStore(localSecretStore(dataDir ? join(dataDir, LOCAL_SECRET_STORE_DIR) : undefined));
    await ensureTable(store);
    stops.push(await startLocalHooks(dataDir, options.hooks));
    if (options.rollouts === false) disableLocalRollouts();
    const rollouts = options.rollouts === false ? null : await startLocalRollouts(withEcsState(options.rollouts, dataDir));
    if (rollouts) stops.push(rollouts.close);

    const server = createApiGateway({ handlers: httpHandlers });
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    stops.push(startEventSweeper());
    if (dataDir) {
      await publishEndpoint(dataDir, dynamo.endpoint);
      stops.push(() => withdrawEndpoint(dataDir));
    }
    // Only now that nothing else can fail to start: a key minted before a refused port was never shown.
    const bootstrapAdminKey = (await anyApiKeyExists())
      ? null
      : (await createApiKey({ role: 'admin', email: 'bootstrap-admin@slipway.local' })).key;
    const { port } = server.address() as AddressInfo;
    return { url: `http://${options.host ?? '127.0.0.1'}:${port}`, bootstrapAdminKey, rollouts, close: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
