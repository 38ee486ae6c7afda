import { describe, expect, it } from 'vitest';
import { authorize, type Action, type Principal, type Role } from '../../shared/domain/access';
import { DomainError } from '../../shared/domain/errors';

const principal = (role: Role, apps: string[] | null = null): Principal => ({ keyId: 'k', role, apps, email: 'k@x' });
const allowed = (p: Principal, action: Action, app?: string) => {
  try {
    authorize(p, action, app);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return false;
    throw error;
  }
};

describe('roles', () => {
  it.each([
    ['developer', 'releases:deploy', true],
    ['developer', 'builds:write', true],
    ['developer', 'releases:rollback', false],
    ['developer', 'promotions:create', false],
    ['operator', 'releases:rollback', true],
    ['operator', 'apps:manage', false],
    ['pipeline', 'promotions:create', true],
    ['pipeline', 'statuses:write', true],
    ['pipeline', 'releases:deploy', false],
    ['admin', 'keys:manage', true],
    ['admin', 'releases:rollback', true],
  ] as const)('%s may %s: %s', (role, action, expected) => {
    expect(allowed(principal(role), action)).toBe(expected);
  });

  it('answers an app outside a scoped key as an unknown app, so names cannot be probed', () => {
    const scoped = principal('developer', ['web']);
    expect(allowed(scoped, 'releases:deploy', 'web')).toBe(true);
    for (const action of ['releases:deploy', 'read'] as const) {
      expect(() => authorize(scoped, action, 'api')).toThrow(expect.objectContaining({ kind: 'not_found', code: 'app_not_found' }));
    }
  });

  it.each(['apps:manage', 'pipelines:manage', 'keys:manage'] as const)('lets only an admin key for all apps %s', (action) => {
    expect(allowed(principal('admin'), action)).toBe(true);
    expect(allowed(principal('admin', ['web']), action)).toBe(false);
  });
});
