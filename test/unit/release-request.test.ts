import { describe, expect, it } from 'vitest';
import type { Build } from '../../shared/domain/model';
import { planBuildRelease, releaseSourceOf } from '../../shared/domain/release-request';
import { appFixture } from '../../shared/fixtures/model';
import { refusalOf } from '../support/fixtures';

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

describe('releaseSourceOf', () => {
  it('reads a slug as a deploy and a release as a rollback', () => {
    expect(releaseSourceOf({ slug: 'b' })).toEqual({ kind: 'slug', slugId: 'b' });
    expect(releaseSourceOf({ release: { id: 'r' } })).toEqual({ kind: 'rollback', target: { id: 'r' }, force: false });
    expect(releaseSourceOf({ release: { version: 7 }, force: true })).toEqual({ kind: 'rollback', target: { version: 7 }, force: true });
  });

  it.each([[{}], [{ slug: 'b', release: { id: 'r' } }]])('refuses %j with 422', (request) => {
    const error = refusalOf(() => releaseSourceOf(request));
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
    const foreign = refusalOf(() => planBuildRelease(app, build({ app: { id: 'other', name: 'api' } }), 'deploy'));
    expect([foreign.kind, foreign.code]).toEqual(['conflict', 'slug_belongs_to_another_app']);
    const pending = refusalOf(() => planBuildRelease(app, build({ status: 'pending' }), 'deploy'));
    expect([pending.kind, pending.code]).toEqual(['conflict', 'slug_not_succeeded']);
    expect(refusalOf(() => planBuildRelease(app, build({ status: 'failed' }), 'deploy')).code).toBe('slug_not_succeeded');
  });
});
