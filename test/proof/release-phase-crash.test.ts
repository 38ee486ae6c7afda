import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callSlipway, startSlipwayProcess, type SlipwayProcess } from '../support/slipway-process';
import { until } from '../support/until';

/**
 * kill -9 of Slipway while release phases run, as a user meets it: Slipway runs as `npm start` in a child process,
 * two releases are in their release phase (one whose task exits 0, one whose task exits 1), and the whole process
 * group is killed. The ECS simulator keeps its one-off tasks in the data dir, as ECS keeps running tasks whatever
 * happens to Slipway, so they go on and stop meanwhile. Restarted, Slipway neither loses their outcomes nor starts
 * a second task: the passing release deploys, the failing one fails with its exit code, the service untouched.
 */
let server: SlipwayProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await server?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Release = {
  id: string;
  status: string;
  current: boolean;
  rollout: { message: string | null } | null;
  release_phase: { status: string; exit_code: number | null; task_arn: string | null } | null;
};

describe('kill -9 while a release phase runs', () => {
  it('keeps the task it started and its outcome: no second task, the release goes on as the task ended', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-release-phase-crash-'));
    server = await startSlipwayProcess(dataDir, { fresh: true });
    const adminKey = server.adminKey as string;
    const call = <T>(method: string, path: string, body?: unknown) =>
      callSlipway(server as SlipwayProcess, adminKey, method, path, body === undefined ? {} : { body }) as Promise<{ status: number; body: T }>;

    const apps = { pass: 'rp-crash-pass', fail: 'rp-crash-fail' };
    const releases: Record<keyof typeof apps, string> = { pass: '', fail: '' };
    for (const [kind, app] of Object.entries(apps) as [keyof typeof apps, string][]) {
      const created = await call('POST', '/apps', { name: app, cluster: 'local', service: `${app}-svc`, release_phase: { command: ['npm', 'run', 'migrate'] } });
      expect(created.status).toBe(201);
      const image = kind === 'pass' ? `registry.local/${app}:v1` : `registry.local/${app}:release-fails`;
      const build = await call<{ id: string }>('POST', `/apps/${app}/builds`, { image });
      releases[kind] = (await call<Release>('POST', `/apps/${app}/releases`, { slug: build.body.id })).body.id;
    }
    const read = async (kind: keyof typeof apps) => (await call<Release>('GET', `/apps/${apps[kind]}/releases/${releases[kind]}`)).body;

    // Both tasks started and recorded, neither ended yet: Slipway dies now.
    const before = await until('both release phases to run', async () => {
      const [pass, fail] = [await read('pass'), await read('fail')];
      return pass.release_phase?.task_arn && fail.release_phase?.task_arn ? { pass, fail } : undefined;
    }, { intervalMs: 10, timeoutMs: 30_000 });
    expect(before.pass.release_phase?.status).toBe('running');
    await server.kill9();
    server = await startSlipwayProcess(dataDir, { fresh: false });

    const settled = async (kind: keyof typeof apps) =>
      until(`${kind} to settle`, async () => {
        const release = await read(kind);
        return ['succeeded', 'failed', 'unknown'].includes(release.status) ? release : undefined;
      }, { intervalMs: 50, timeoutMs: 60_000 });
    const pass = await settled('pass');
    expect(pass).toMatchObject({ status: 'succeeded', current: true, release_phase: { status: 'succeeded', exit_code: 0, task_arn: before.pass.release_phase?.task_arn } });
    const fail = await settled('fail');
    expect(fail).toMatchObject({ status: 'failed', current: false, release_phase: { status: 'failed', exit_code: 1, task_arn: before.fail.release_phase?.task_arn } });
    expect(fail.rollout?.message).toBe('release phase exited 1');

    // ECS's side (the simulator's kept tasks): one task per release, ever.
    const tasks = JSON.parse(await readFile(join(dataDir, 'ecs-one-off-tasks.json'), 'utf8')) as { startedBy?: string }[];
    for (const id of Object.values(releases)) {
      expect(tasks.filter((task) => task.startedBy === `slipway/release-phase/${id}`)).toHaveLength(1);
    }
  }, 180_000);
});
