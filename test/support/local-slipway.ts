import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Role } from '../../shared/domain/access';
import { createApiKey } from '../../shared/operations/api-keys';
import type { LocalHooksOptions } from '../../local/hooks-runtime';
import type { LocalRolloutOptions } from '../../local/rollout-runtime';
import { startLocalSlipway, type LocalSlipway } from '../../local/slipway';
import type { Release } from '../../shared/domain/model';
import type { DeploymentOutcome } from '../../shared/domain/rollout';
import { createEcsClient } from '../../shared/ecs/ecs-client';
import { rolloutInputOf } from '../../shared/rollout/rollout-input';
import { finishRollout } from '../../shared/rollout/steps';

export type ApiResponse<T = unknown> = { status: number; headers: Headers; body: T };

export type TestSlipway = LocalSlipway & {
  adminKey: string;
  /** Calls the local API; `key` defaults to the admin key, `null` sends none. */
  call: <T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> },
  ) => Promise<ApiResponse<T>>;
  keyFor: (role: Role, apps?: string[]) => Promise<string>;
};

/**
 * Slipway on a fresh dynalite (in memory unless `dataDir` is given) and a free loopback port, driven over real HTTP.
 * Releases roll out (ECS simulator + local Step Functions) only when `rollouts` asks for it; otherwise they stay queued.
 */
export const startTestSlipway = async (
  /** `adminKey`: on a restart over the same `dataDir`, the key its first start minted (none is minted again). */
  options: { dataDir?: string; rollouts?: LocalRolloutOptions; hooks?: LocalHooksOptions; adminKey?: string } = {},
): Promise<TestSlipway> => {
  const slipway = await startLocalSlipway({ port: 0, dataDir: options.dataDir, rollouts: options.rollouts ?? false, hooks: options.hooks });
  const adminKey = slipway.bootstrapAdminKey ?? options.adminKey;
  if (!adminKey) throw new Error('a fresh store must mint a bootstrap admin key');
  const call: TestSlipway['call'] = async (method, path, options = {}) => {
    const key = options.key === undefined ? adminKey : options.key;
    const response = await fetch(`${slipway.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(options.body !== undefined || options.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') ?? false;
    return { status: response.status, headers: response.headers, body: text ? (isJson ? JSON.parse(text) : text) : undefined };
  };
  return {
    ...slipway,
    adminKey,
    call,
    keyFor: async (role, apps) => (await createApiKey({ role, apps: apps ?? null })).key,
  };
};

/** The rollout services of a Slipway started with `rollouts`. */
export const rolloutsOf = (slipway: TestSlipway): NonNullable<TestSlipway['rollouts']> => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  return slipway.rollouts;
};

export type SlipwayWithEcs = TestSlipway & { ecs: ECSClient };

/**
 * Slipway whose releases roll out fast (a simulator batch every 5 ms, the state machine's waits scaled down), with
 * an ECS client on its simulator to see what a rollout deployed. `close` ends both. `rollouts` overrides the
 * rest of the rollout options (a larger `timeScale` keeps the reconciler's periodic pass out of the way).
 */
export const startSlipwayWithEcs = async (
  simulator: LocalRolloutOptions['ecs'] = {},
  rollouts: Omit<LocalRolloutOptions, 'ecs'> = {},
): Promise<SlipwayWithEcs> => {
  const slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ...rollouts, ecs: { batchIntervalMs: 5, ...simulator } } });
  const ecs = createEcsClient({ endpoint: rolloutsOf(slipway).ecs.endpoint });
  return {
    ...slipway,
    ecs,
    close: async () => {
      ecs.destroy();
      await slipway.close();
    },
  };
};

export const IMAGE_DIGEST = `sha256:${'a'.repeat(64)}`;

/** Creates an app and `count` succeeded builds on it; returns their ids. */
export const seedApp = async (slipway: TestSlipway, name: string, count = 2) => {
  const app = await slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: `${name}-svc` } });
  if (app.status !== 201) throw new Error(`seeding app ${name} failed: ${JSON.stringify(app.body)}`);
  const builds: string[] = [];
  for (let index = 0; index < count; index++) {
    const build = await slipway.call('POST', `/apps/${name}/builds`, {
      body: { image: `registry.local/${name}:v${index + 1}`, sha: `${index + 1}`.padStart(7, 'a') },
    });
    builds.push(build.body.id);
  }
  return { app: app.body, builds };
};

/**
 * Settles a release the way its rollout's Finish step settles a completed deployment, for suites that run
 * without rollouts (their background writes would blur what they measure) but need a succeeded release.
 */
export const settleAsSucceeded = (release: Pick<Release, 'id' | 'version' | 'app'>) => settleRollout(release, 'COMPLETED');

/** The same for any outcome: `FAILED` leaves the release failed, `DEADLINE` unknown. */
export const settleRollout = (release: Pick<Release, 'id' | 'version' | 'app'>, outcome: DeploymentOutcome) =>
  finishRollout({
    rollout: rolloutInputOf(release),
    stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:unused',
    result: { outcome, reason: outcome === 'COMPLETED' ? null : 'settled by the test' },
  });
