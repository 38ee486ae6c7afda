import { DescribeServiceDeploymentsCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalSlipway } from '../local/slipway';
import { createEcsClient } from '../shared/ecs/ecs-client';
import { logger } from '../shared/observability/logger';
import { apiClient } from './http-load';

export type GateFigures = {
  rounds: number;
  /** Per round, ms: a gate's last check POSTed until its answer, which comes once ECS was told (ContinueServiceDeployment). */
  decisionMs: number[];
  /** State transitions of a gated canary's execution, and of a rolling release's, as the local Step Functions counts them. */
  canaryTransitions: number;
  rollingTransitions: number;
};

/** The target: Slipway tells ECS within this of the check that completes a gate. */
export const GATE_DECISION_TARGET_MS = 1_000;
/** A simulated minute: the canary's 1-minute bake takes this long. */
const MINUTE_MS = 500;

type Release = { id: string; status: string; rollout: { phase: string | null } | null };

/**
 * Gate decision latency: a canary held at its gate (after a 1-minute bake) for one status check; the check is
 * posted and ECS is told to continue before the POST answers (shared/operations/release-actions.ts), so the
 * POST's round trip bounds Slipway's overhead per gate. Each round checks that the hook no longer awaits action
 * once the POST answered. Also counts a gated canary's state transitions against a rolling release's.
 */
export const measureGateDecisions = async (rounds: number): Promise<GateFigures> => {
  logger.setLogLevel('SILENT');
  const slipway = await startLocalSlipway({ port: 0, rollouts: { ecs: { minuteMs: MINUTE_MS } } });
  const rollouts = slipway.rollouts;
  const adminKey = slipway.bootstrapAdminKey;
  if (!rollouts || !adminKey) throw new Error('the gates bench needs local rollouts and a fresh store');
  const ecs = createEcsClient({ endpoint: rollouts.ecs.endpoint });
  const api = apiClient(slipway.url, adminKey);
  const until = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      await sleep(10);
    }
  };
  const settle = async (id: string) => (await rollouts.stepFunctions.finished(id)).transitions;
  try {
    const decisionMs: number[] = [];
    let canaryTransitions = Number.NaN;
    for (let round = 0; round < rounds; round++) {
      const name = `gate${round}`;
      const gate = { checks: ['bench/smoke'], timeout_minutes: 60 };
      await api('POST', '/apps', { name, cluster: 'bench', service: `${name}-svc`, deployment: { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1, gate } });
      const build = await api<{ id: string }>('POST', `/apps/${name}/builds`, { image: `registry.local/${name}:v2` });
      const release = await api<Release>('POST', `/apps/${name}/releases`, { slug: build.id });
      await until(async () => {
        const seen = await api<Release>('GET', `/apps/${name}/releases/${release.id}`);
        return seen.rollout?.phase === 'awaiting_approval' ? seen : undefined;
      });
      const started = performance.now();
      await api('POST', `/apps/${name}/releases/${release.id}/statuses`, { context: 'bench/smoke', state: 'success', name: 'smoke' });
      decisionMs.push(Math.round(performance.now() - started));
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'bench', services: [`${name}-svc`] }));
      const arn = services?.[0]?.currentServiceDeployment;
      const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arn ? [arn] : [] }));
      const holding = (serviceDeployments?.[0]?.lifecycleHookDetails ?? []).filter((hook) => hook.status === 'AWAITING_ACTION' && hook.timeoutAction === 'ROLLBACK');
      if (!serviceDeployments?.[0] || holding.length > 0) throw new Error(`round ${round}: the gate still held the deployment once the check's POST answered`);
      canaryTransitions = await settle(release.id);
    }
    await api('POST', '/apps', { name: 'plain', cluster: 'bench', service: 'plain-svc' });
    const build = await api<{ id: string }>('POST', '/apps/plain/builds', { image: 'registry.local/plain:v2' });
    const rolling = await api<Release>('POST', '/apps/plain/releases', { slug: build.id });
    return { rounds, decisionMs, canaryTransitions, rollingTransitions: await settle(rolling.id) };
  } finally {
    await slipway.close();
  }
};

export const renderGates = (figures: GateFigures): string => {
  const worst = Math.max(...figures.decisionMs);
  return `## Gate decisions

A canary held at its gate (its 1-minute bake over, ${MINUTE_MS} ms a simulated minute) for one status check, ${figures.rounds}
rounds: the check's POST answers once ECS was told to continue (ContinueServiceDeployment on the gate's PAUSE hook),
so its round trip bounds Slipway's overhead per gate decision; each round checks the hook no longer awaits action
when the POST answered. Target: ≤ ${GATE_DECISION_TARGET_MS} ms.

| measure | value | target |
|---|---|---|
| check POST → ECS told, per round | ${figures.decisionMs.map((ms) => `${ms} ms`).join(', ')} | worst ${worst} ms: ${worst <= GATE_DECISION_TARGET_MS ? 'met' : 'missed'} |
| state transitions, gated canary | ${figures.canaryTransitions} | as many as a rolling release (${figures.rollingTransitions}): holds add no state |
`;
};
