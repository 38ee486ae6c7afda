import { DescribeServicesCommand, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayEvent } from '../../shared/api/events';
import { subscribe } from '../../shared/events/bus';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * Release phases over HTTP against real local rollouts: the ECS simulator runs each release's one-off task of its own
 * revision (an image with `release-fails` exits 1, one with `release-slow` runs until stopped) and serves what it
 * printed as CloudWatch Logs. A simulated minute is 100 ms here, so a one-minute timeout passes in a moment.
 */
let slipway: SlipwayWithEcs;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 100 });
  unsubscribe = subscribe(async (event) => {
    seen.push(SlipwayEvent.parse(event));
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

type ReleasePhase = { status: string; exit_code: number | null; started_at: string | null; finished_at: string | null; task_arn: string | null; output_url: string | null };
type Release = {
  id: string;
  version: number;
  status: string;
  current: boolean;
  rollout: { message: string | null; phase: string | null; task_definition_arn: string | null } | null;
  superseded_by: { id: string; version: number } | null;
  release_phase: ReleasePhase | null;
};

const MIGRATE = ['npm', 'run', 'migrate'];
const POLL = { intervalMs: 20 };

const read = async (app: string, ref: string | number) => (await slipway.call<Release>('GET', `/apps/${app}/releases/${ref}`)).body;
const settled = (app: string, ref: string | number) =>
  until(async () => `${app} ${ref} to settle: ${JSON.stringify(await read(app, ref))}`, async () => {
    const release = await read(app, ref);
    return ['succeeded', 'failed', 'unknown'].includes(release.status) ? release : undefined;
  }, POLL);

/** An app with a release phase and builds for the given image tags; returns the build ids by tag. */
const appWith = async (name: string, tags: string[], releasePhase: Record<string, unknown> | null = { command: MIGRATE }) => {
  const created = await slipway.call('POST', '/apps', {
    body: { name, cluster: 'local', service: `${name}-svc`, ...(releasePhase ? { release_phase: releasePhase } : {}) },
  });
  expect(created.status).toBe(201);
  const builds: Record<string, string> = {};
  for (const tag of tags) builds[tag] = (await slipway.call<{ id: string }>('POST', `/apps/${name}/builds`, { body: { image: `registry.local/${name}:${tag}` } })).body.id;
  return builds;
};

const deploy = async (app: string, slug: string | undefined) => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug } });
  expect(created.status).toBe(201);
  return created.body;
};

const primaryTaskDefinition = async (app: string) =>
  (await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [`${app}-svc`] }))).services?.[0]?.taskDefinition;

describe('an app declares its release phase', () => {
  it('is shown on the app, with its defaults; PATCH null turns it off', async () => {
    await appWith('rp-settings', []);
    const app = await slipway.call<{ release_phase: unknown }>('GET', '/apps/rp-settings');
    expect(app.body.release_phase).toEqual({ command: MIGRATE, timeout_minutes: 60, on_rollback: false });
    const changed = await slipway.call<{ release_phase: unknown }>('PATCH', '/apps/rp-settings', {
      body: { release_phase: { command: ['sh', '-c', 'rake db:migrate'], timeout_minutes: 5, on_rollback: true } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.release_phase).toEqual({ command: ['sh', '-c', 'rake db:migrate'], timeout_minutes: 5, on_rollback: true });
    const off = await slipway.call<{ release_phase: unknown }>('PATCH', '/apps/rp-settings', { body: { release_phase: null } });
    expect(off.body.release_phase).toBeNull();
  });

  it('refuses a release phase it could not run, and changes nothing', async () => {
    for (const releasePhase of [{ command: [] }, { command: 'npm run migrate' }, { command: MIGRATE, timeout_minutes: 0 }, { command: MIGRATE, extra: 1 }]) {
      const refused = await slipway.call<{ error: { code: string } }>('POST', '/apps', {
        body: { name: 'rp-refused', cluster: 'local', service: 'rp-refused-svc', release_phase: releasePhase },
      });
      expect(refused.status).toBe(422);
    }
    expect((await slipway.call('GET', '/apps/rp-refused')).status).toBe(404);
    const external = await slipway.call('POST', '/apps', { body: { name: 'rp-external', release_phase: { command: MIGRATE } } });
    expect(external.status).toBe(422);
  });
});

describe('a release with a release phase', () => {
  it("runs the command as a one-off task of the release's own revision before deploying it, and its output can be read", async () => {
    const builds = await appWith('rp-pass', ['v1']);
    const v1 = await deploy('rp-pass', builds.v1);
    const done = await settled('rp-pass', v1.id);
    expect(done.status).toBe('succeeded');
    expect(done.current).toBe(true);
    expect(done.release_phase).toMatchObject({ status: 'succeeded', exit_code: 0, output_url: `/apps/rp-pass/releases/${v1.id}/release-phase/output` });
    expect(Date.parse(done.release_phase?.finished_at ?? '')).toBeGreaterThanOrEqual(Date.parse(done.release_phase?.started_at ?? ''));

    const { tasks } = await slipway.ecs.send(new DescribeTasksCommand({ cluster: 'local', tasks: [done.release_phase?.task_arn ?? ''] }));
    expect(tasks?.[0]).toMatchObject({
      lastStatus: 'STOPPED',
      taskDefinitionArn: done.rollout?.task_definition_arn,
      startedBy: `slipway/release-phase/${v1.id}`,
      overrides: { containerOverrides: [{ name: 'rp-pass-svc', command: MIGRATE }] },
    });
    expect(await primaryTaskDefinition('rp-pass')).toBe(done.rollout?.task_definition_arn);

    const output = await slipway.call<{ lines: { at: string; text: string }[]; complete: boolean }>('GET', done.release_phase?.output_url ?? '');
    expect(output.status).toBe(200);
    expect(output.body.lines.map((line) => line.text)).toEqual([
      'Running npm run migrate in registry.local/rp-pass:v1',
      'Step 1 of 2 done',
      'Step 2 of 2 done',
      'Done',
    ]);
    const complete = await until('the output to be complete', async () => {
      const answer = await slipway.call<{ complete: boolean }>('GET', done.release_phase?.output_url ?? '');
      return answer.body.complete ? answer.body : undefined;
    }, POLL);
    expect(complete.complete).toBe(true);
  });

  it('fails the release when the task exits non-zero: the service is untouched, the previous release stays current, release.failed fires', async () => {
    const builds = await appWith('rp-fail', ['v1', 'release-fails']);
    const v1 = await settled('rp-fail', (await deploy('rp-fail', builds.v1)).id);
    const before = await primaryTaskDefinition('rp-fail');
    const v2 = await deploy('rp-fail', builds['release-fails']);
    const failed = await settled('rp-fail', v2.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, release_phase: { status: 'failed', exit_code: 1 } });
    expect(failed.rollout?.message).toBe('release phase exited 1');
    expect(failed.rollout?.phase).toBeNull();
    expect(await primaryTaskDefinition('rp-fail')).toBe(before);
    expect((await read('rp-fail', v1.id)).current).toBe(true);
    const event = await until('release.failed', async () =>
      seen.find((candidate) => candidate.type === 'release.failed' && (candidate.data as { id?: string }).id === v2.id),
    POLL);
    expect(event.data).toMatchObject({ status: 'failed' });
    const output = await slipway.call<{ lines: { text: string }[] }>('GET', `/apps/rp-fail/releases/${v2.id}/release-phase/output`);
    expect(output.body.lines.at(-1)?.text).toBe('Error: the release phase failed');
  });

  it('shows the release_phase phase while it runs, and fails a task that runs past its timeout (stopping it)', async () => {
    const builds = await appWith('rp-slow', ['v1', 'release-slow'], { command: MIGRATE, timeout_minutes: 10 });
    await settled('rp-slow', (await deploy('rp-slow', builds.v1)).id);
    const before = await primaryTaskDefinition('rp-slow');
    const v2 = await deploy('rp-slow', builds['release-slow']);
    const running = await until('the release phase to run', async () => {
      const release = await read('rp-slow', v2.id);
      return release.release_phase?.task_arn ? release : undefined;
    }, POLL);
    expect(running).toMatchObject({ status: 'pending', rollout: { phase: 'release_phase' }, release_phase: { status: 'running', exit_code: null } });
    const partial = await slipway.call<{ complete: boolean }>('GET', `/apps/rp-slow/releases/${v2.id}/release-phase/output`);
    expect(partial.body.complete).toBe(false);

    const timedOut = await settled('rp-slow', v2.id);
    expect(timedOut).toMatchObject({ status: 'failed', release_phase: { status: 'timed_out', exit_code: null } });
    expect(timedOut.rollout?.message).toBe('release phase timed out after 10 min');
    expect(await primaryTaskDefinition('rp-slow')).toBe(before);
    const { tasks } = await slipway.ecs.send(new DescribeTasksCommand({ cluster: 'local', tasks: [timedOut.release_phase?.task_arn ?? ''] }));
    expect(tasks?.[0]?.lastStatus).toBe('STOPPED');
    expect(tasks?.[0]?.stoppedReason).toContain('timed out');
  });

  it('never holds a rescue back: a rollback overtaking a release in its release phase stops its task and deploys', async () => {
    const builds = await appWith('rp-rescue', ['v1', 'release-slow'], { command: MIGRATE, timeout_minutes: 120 });
    const v1 = await settled('rp-rescue', (await deploy('rp-rescue', builds.v1)).id);
    const stuck = await deploy('rp-rescue', builds['release-slow']);
    const running = await until('the release phase to run', async () => {
      const release = await read('rp-rescue', stuck.id);
      return release.release_phase?.task_arn ? release : undefined;
    }, POLL);
    const rollback = await slipway.call<Release>('POST', '/apps/rp-rescue/releases', { body: { release: v1.version } });
    expect(rollback.status).toBe(201);
    const rescued = await settled('rp-rescue', rollback.body.id);
    expect(rescued).toMatchObject({ status: 'succeeded', current: true, release_phase: { status: 'skipped' } });
    const overtaken = await settled('rp-rescue', stuck.id);
    expect(overtaken).toMatchObject({ status: 'failed', superseded_by: { id: rollback.body.id }, release_phase: { status: 'failed', exit_code: null } });
    const { tasks } = await slipway.ecs.send(new DescribeTasksCommand({ cluster: 'local', tasks: [running.release_phase?.task_arn ?? ''] }));
    expect(tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Slipway: a rollback overtook this release' });
    expect(await rolloutsOf(slipway).stepFunctions.finished(stuck.id)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('is skipped by a rollback unless the app asks rollbacks to run it', async () => {
    const builds = await appWith('rp-rollback', ['v1', 'v2']);
    const v1 = await settled('rp-rollback', (await deploy('rp-rollback', builds.v1)).id);
    await settled('rp-rollback', (await deploy('rp-rollback', builds.v2)).id);
    const rollback = await slipway.call<Release>('POST', '/apps/rp-rollback/releases', { body: { release: v1.version } });
    const rescued = await settled('rp-rollback', rollback.body.id);
    expect(rescued).toMatchObject({ status: 'succeeded', release_phase: { status: 'skipped', task_arn: null, output_url: null } });
    const notRun = await slipway.call<{ error: { code: string } }>('GET', `/apps/rp-rollback/releases/${rescued.id}/release-phase/output`);
    expect(notRun.status).toBe(404);
    expect(notRun.body.error.code).toBe('release_phase_not_run');

    await slipway.call('PATCH', '/apps/rp-rollback', { body: { release_phase: { command: MIGRATE, on_rollback: true } } });
    const again = await slipway.call<Release>('POST', '/apps/rp-rollback/releases', { body: { release: v1.version } });
    expect((await settled('rp-rollback', again.body.id)).release_phase).toMatchObject({ status: 'succeeded', exit_code: 0 });
  });

  it('runs for config changes too, and not at all once turned off', async () => {
    const builds = await appWith('rp-config', ['v1']);
    await settled('rp-config', (await deploy('rp-config', builds.v1)).id);
    const change = await slipway.call('PATCH', '/apps/rp-config/config-vars', { body: { GREETING: 'hello' } });
    const configRelease = await settled('rp-config', (change.headers.get('location') ?? '').split('/').pop() ?? '');
    expect(configRelease.release_phase?.status).toBe('succeeded');

    await slipway.call('PATCH', '/apps/rp-config', { body: { release_phase: null } });
    const plain = await settled('rp-config', (await deploy('rp-config', builds.v1)).id);
    expect(plain).toMatchObject({ status: 'succeeded', release_phase: null });
    const none = await slipway.call<{ error: { code: string } }>('GET', `/apps/rp-config/releases/${plain.id}/release-phase/output`);
    expect(none.status).toBe(404);
  });

  it('costs two more state transitions than a release without one', async () => {
    const builds = await appWith('rp-cost', ['v1', 'v2'], null);
    const plain = await settled('rp-cost', (await deploy('rp-cost', builds.v1)).id);
    await slipway.call('PATCH', '/apps/rp-cost', { body: { release_phase: { command: MIGRATE } } });
    const phased = await settled('rp-cost', (await deploy('rp-cost', builds.v2)).id);
    const transitions = async (id: string) => (await rolloutsOf(slipway).stepFunctions.finished(id)).transitions;
    expect((await transitions(phased.id)) - (await transitions(plain.id))).toBe(2);
  });

  it('fails the release, service untouched, when ECS keeps refusing to run the task', async () => {
    const builds = await appWith('rp-refused-task', ['v1', 'v2']);
    await settled('rp-refused-task', (await deploy('rp-refused-task', builds.v1)).id);
    const before = await primaryTaskDefinition('rp-refused-task');
    // Each of the step's six attempts (the first and its five retries) is refused: the release fails, nothing is left over.
    rolloutsOf(slipway).ecs.injectFault({ operation: 'RunTask', error: 'InvalidParameterException', message: 'No Container Instances were found in your cluster.', times: 6 });
    const refused = await settled('rp-refused-task', (await deploy('rp-refused-task', builds.v2)).id);
    expect(refused).toMatchObject({ status: 'failed', release_phase: { status: 'failed', task_arn: null } });
    expect(refused.rollout?.message).toContain('No Container Instances were found in your cluster.');
    expect(await primaryTaskDefinition('rp-refused-task')).toBe(before);
  });
});
