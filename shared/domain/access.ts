import { DomainError } from './errors';
import type { Actor } from './model';

export const ROLES = ['developer', 'operator', 'pipeline', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as resolved from an API key by the authorizer. `apps: null` means every app. */
export type Principal = { keyId: string; role: Role; apps: readonly string[] | null; email: string };

export type Action =
  | 'read'
  | 'apps:manage'
  | 'pipelines:manage'
  | 'keys:manage'
  | 'builds:write'
  | 'releases:deploy'
  | 'releases:rollback'
  | 'statuses:write'
  | 'promotions:create';

/** Admin may do anything; the others exactly what their job needs. */
const GRANTS: Record<Role, ReadonlySet<Action>> = {
  developer: new Set(['read', 'builds:write', 'releases:deploy']),
  operator: new Set(['read', 'builds:write', 'releases:deploy', 'releases:rollback']),
  pipeline: new Set(['read', 'statuses:write', 'promotions:create']),
  admin: new Set([
    'read',
    'apps:manage',
    'pipelines:manage',
    'keys:manage',
    'builds:write',
    'releases:deploy',
    'releases:rollback',
    'statuses:write',
    'promotions:create',
  ]),
};

export const mayAccessApp = (principal: Principal, appName: string): boolean =>
  principal.apps === null || principal.apps.includes(appName);

/** Refuses with 403 unless the principal's role grants `action` and, for app-scoped work, its key covers the app. */
export const authorize = (principal: Principal, action: Action, appName?: string): void => {
  if (!GRANTS[principal.role].has(action)) {
    throw new DomainError('forbidden', 'forbidden', `A ${principal.role} key may not perform ${action}.`, {
      role: principal.role,
      action,
    });
  }
  if (appName !== undefined && !mayAccessApp(principal, appName)) {
    throw new DomainError('forbidden', 'forbidden_app', `This key is not allowed to act on app ${appName}.`, {
      app: appName,
    });
  }
};

export const actorOf = (principal: Principal): Actor => ({ id: principal.keyId, email: principal.email });
