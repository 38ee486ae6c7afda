import { DomainError } from '../../shared/domain/errors';
import type { App, Release } from '../../shared/domain/model';

/** Plain domain objects for unit and adapter tests; override what a test is about. */
export const appFixture = (overrides: Partial<App> = {}): App => ({
  id: 'app-1',
  name: 'web',
  cluster: 'cluster',
  service: 'service',
  container: null,
  auto_release: false,
  auto_rollback: false,
  bake_window_seconds: 600,
  created_at: '2026-11-24T00:00:00.000Z',
  updated_at: '2026-11-24T00:00:00.000Z',
  current_release_version: null,
  ...overrides,
});

export const releaseFixture = (overrides: Partial<Release> = {}): Release => ({
  id: 'rel-1',
  app: { id: 'app-1', name: 'web' },
  version: 1,
  slug: { id: 'build-0' },
  image: 'registry.local/web:0',
  description: 'Deploy',
  status: 'queued',
  state: 'pending',
  user: { id: 'user', email: 'user@example.com' },
  trigger: 'deploy',
  created_at: '2026-11-24T00:00:00.000Z',
  updated_at: '2026-11-24T00:00:00.000Z',
  started_at: null,
  finished_at: null,
  rollout: null,
  checks: {},
  revision: 0,
  ...overrides,
});

/** The DomainError `run` refuses with; fails the test if it throws nothing or something else. */
export const refusalOf = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};
