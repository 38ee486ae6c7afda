import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/domain/errors';
import type { Build, Release } from '../../shared/domain/model';
import { planBuildRelease, planRollback, releaseSourceOf } from '../../shared/domain/release-request';
import { appFixture, releaseFixture } from '../support/fixtures';

const app = appFixture();

const build = (overrides: Partial<Build> = {}): Build => ({
  id: 'build-1',
  app: { id: app.id, name: app.name },
  status: 'succeeded',
  source_blob: { image: 'r/web:1', commit: 'abcdef123', branch: null, repo: null, version: null, author: null, message: null },
  created_at: app.created_at,
  updated_at: app.updated_at,
  ...overrides,
});

const release = (overrides: Partial<Release> = {}): Release =>
  releaseFixture({ version: 4, image: 'r/web:0', status: 'succeeded', ...overrides });

const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('releaseSourceOf', () => {
  it('reads a slug as a deploy and a release as a rollback', () => {
    expect(releaseSourceOf({ slug: 'b' })).toEqual({ kind: 'slug', slugId: 'b' });
    expect(releaseSourceOf({ release: 'r' })).toEqual({ kind: 'rollback', releaseId: 'r' });
  });

  it.each([[{}], [{ slug: 'b', release: 'r' }]])('refuses %j with 422', (request) => {
    const error = refusal(() => releaseSourceOf(request));
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('slug_or_release_required');
  });
});

describe('planBuildRelease', () => {
  it("takes the build's image, describes the deploy by commit and keeps the build for its labels and commits", () => {
    expect(planBuildRelease(app, build(), 'deploy')).toEqual({
      slugId: 'build-1',
      image: 'r/web:1',
      description: 'Deploy abcdef1',
      trigger: 'deploy',
      build: build(),
    });
  });

  it('names the build in an auto-release and keeps a given description', () => {
    expect(planBuildRelease(app, build(), 'auto').description).toBe('Auto-release of build build-1');
    expect(planBuildRelease(app, build(), 'deploy', 'hotfix').description).toBe('hotfix');
  });

  it("refuses another app's build and an unfinished one with 409", () => {
    const foreign = refusal(() => planBuildRelease(app, build({ app: { id: 'other', name: 'api' } }), 'deploy'));
    expect([foreign.kind, foreign.code]).toEqual(['conflict', 'slug_belongs_to_another_app']);
    const pending = refusal(() => planBuildRelease(app, build({ status: 'pending' }), 'deploy'));
    expect([pending.kind, pending.code]).toEqual(['conflict', 'slug_not_succeeded']);
    expect(refusal(() => planBuildRelease(app, build({ status: 'failed' }), 'deploy')).code).toBe('slug_not_succeeded');
  });
});

describe('planRollback', () => {
  it("re-releases the target's slug and image, described as a rollback", () => {
    expect(planRollback(app, release())).toEqual({
      slugId: 'build-0',
      image: 'r/web:0',
      description: 'Rollback to v4',
      trigger: 'rollback',
    });
  });

  it("treats another app's release as not found", () => {
    const error = refusal(() => planRollback(app, release({ app: { id: 'other', name: 'api' } })));
    expect([error.kind, error.code]).toEqual(['not_found', 'release_not_found']);
  });
});
