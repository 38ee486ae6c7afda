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
