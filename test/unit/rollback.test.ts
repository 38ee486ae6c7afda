import { describe, expect, it } from 'vitest';
import type { Release } from '../../shared/domain/model';
import {
  autoRollbackAfterRollout,
  autoRollbackReason,
  configRestoredBy,
  lastGoodBefore,
  planRollback,
  redeploysAfterLostExecution,
} from '../../shared/domain/rollback';
import { isOvertaken } from '../../shared/domain/rollout';
import { appFixture, releaseFixture } from '../../shared/fixtures/model';
import { refusalOf } from '../support/fixtures';

const app = appFixture();
const release = (overrides: Partial<Release> = {}): Release =>
  releaseFixture({ version: 4, image: 'r/web:0', status: 'succeeded', ...overrides });

describe('planRollback', () => {
  it("re-releases the target's slug and image and restores its config version, described as a rollback", () => {
    expect(planRollback(app, release({ config_version: 3 }))).toEqual({
      slugId: 'build-0',
      image: 'r/web:0',
      description: 'Rollback to v4 (its build and config)',
      trigger: 'rollback',
      restoresConfig: { version: 3 },
    });
  });

  it('restores no config version for a target from before the app had config vars', () => {
    expect(planRollback(app, release({ config_version: null })).restoresConfig).toEqual({ version: null });
    expect(planRollback(app, release({ config_version: undefined })).restoresConfig).toEqual({ version: null });
  });

  it("treats another app's release as not found", () => {
    const error = refusalOf(() => planRollback(app, release({ app: { id: 'other', name: 'api' } })));
    expect([error.kind, error.code]).toEqual(['not_found', 'release_not_found']);
  });

  it.each(['failed', 'unknown', 'queued', 'pending'] as const)('refuses a %s target with 409 unless forced', (status) => {
    const error = refusalOf(() => planRollback(app, release({ status })));
    expect([error.kind, error.code]).toEqual(['conflict', 'rollback_target_not_succeeded']);
    expect(error.details).toMatchObject({ version: 4, status });
    expect(planRollback(app, release({ status }), { force: true }).image).toBe('r/web:0');
  });

  it('says why an automatic rollback happened, as one', () => {
    expect(planRollback(app, release(), { trigger: 'auto_rollback', reason: 'check ci/smoke failed' })).toMatchObject({
      trigger: 'auto_rollback',
      description: 'Rollback to v4 (its build and config): check ci/smoke failed',
    });
  });
});

describe('configRestoredBy', () => {
  it("is exactly the target's config, secrets as the references it ran with", () => {
    const target = {
      FOO: { secret: false as const, value: 'bar' },
      API_TOKEN: { secret: true as const, value_from: '/slipway/a1/change-1/API_TOKEN' },
    };
    const restored = configRestoredBy(target);
    expect(restored).toEqual(target);
    expect(restored).not.toBe(target);
  });

  it('is empty for a target that ran before the app had config vars', () => {
    expect(configRestoredBy(null)).toEqual({});
  });
});

describe('redeploysAfterLostExecution', () => {
  it('deploys again only a rollback cut short mid-deployment', () => {
    expect(redeploysAfterLostExecution(release({ trigger: 'rollback', status: 'pending' }))).toBe(true);
    expect(redeploysAfterLostExecution(release({ trigger: 'auto_rollback', status: 'pending' }))).toBe(true);
    expect(redeploysAfterLostExecution(release({ trigger: 'deploy', status: 'pending' }))).toBe(false);
    expect(redeploysAfterLostExecution(release({ trigger: 'rollback', status: 'succeeded' }))).toBe(false);
  });
});

describe('isOvertaken', () => {
  it('makes only releases older than the rescue rollback give way', () => {
    const lock = { rescue: { id: 'r5', version: 5 } };
    expect(isOvertaken(lock, 4)).toBe(true);
    expect(isOvertaken(lock, 5)).toBe(false);
    expect(isOvertaken(lock, 6)).toBe(false);
    expect(isOvertaken({ rescue: null }, 4)).toBe(false);
  });
});

describe('autoRollbackReason', () => {
  const now = new Date('2026-11-30T10:10:00.000Z');
  const live = release({ version: 4, finished_at: '2026-11-30T10:05:00.000Z' });
  const watched = { ...app, auto_rollback: true, bake_window_seconds: 600, current_release_version: 4 };
  const failure = { context: 'ci/smoke', state: 'failure' as const };

  it('rolls back the current release on a failed or errored check within the bake window', () => {
    expect(autoRollbackReason(watched, live, failure, null, now)).toBe('check ci/smoke reported failure on v4 300 s after it went live');
    expect(autoRollbackReason(watched, live, { ...failure, state: 'error' }, ['ci/smoke'], now)).toContain('error');
  });

  it('does nothing when off, after the window, for a passing or unrequired check, or for a release not current', () => {
    expect(autoRollbackReason({ ...watched, auto_rollback: false }, live, failure, null, now)).toBeNull();
    expect(autoRollbackReason({ ...watched, bake_window_seconds: 60 }, live, failure, null, now)).toBeNull();
    expect(autoRollbackReason(watched, live, { ...failure, state: 'success' }, null, now)).toBeNull();
    expect(autoRollbackReason(watched, live, failure, ['ci/unit'], now)).toBeNull();
    expect(autoRollbackReason({ ...watched, current_release_version: 5 }, live, failure, null, now)).toBeNull();
  });

  it('never rolls back a rollback, so it never loops', () => {
    expect(autoRollbackReason(watched, { ...live, trigger: 'rollback' }, failure, null, now)).toBeNull();
    expect(autoRollbackReason(watched, { ...live, trigger: 'auto_rollback' }, failure, null, now)).toBeNull();
  });
});

describe('autoRollbackAfterRollout', () => {
  it('rolls back a release whose rollout ended unknown, never a rollback', () => {
    const watched = { auto_rollback: true };
    expect(autoRollbackAfterRollout(watched, release({ status: 'unknown' }))).toContain('ended unknown');
    expect(autoRollbackAfterRollout(watched, release({ status: 'failed' }))).toBeNull();
    expect(autoRollbackAfterRollout(watched, release({ status: 'unknown', trigger: 'auto_rollback' }))).toBeNull();
    expect(autoRollbackAfterRollout({ auto_rollback: false }, release({ status: 'unknown' }))).toBeNull();
  });
});

describe('lastGoodBefore', () => {
  it('is the newest succeeded release older than the one rolled back', () => {
    const history = [
      release({ version: 5 }),
      release({ version: 4, status: 'failed' }),
      release({ version: 3 }),
      release({ version: 2 }),
    ];
    expect(lastGoodBefore(history, 5)?.version).toBe(3);
    expect(lastGoodBefore(history, 2)).toBeUndefined();
  });
});
