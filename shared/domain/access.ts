import { DomainError, notFound } from './errors';
import type { Actor, App } from './model';

export const ROLES = ['developer', 'operator', 'pipeline', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What is kept of a key: its SHA-256 and its grants, never the key itself. */
export type ApiKeyRecord = {
  id: string;
  key_hash: string;
  role: Role;
  apps: string[] | null;
  email: string;
  created_at: string;
  /** Set once the key is revoked; the record stays so `keys list` still shows who had access. */
  revoked_at?: string | null;
};

/** Who is calling, as resolved from an API key. `apps: null` means every app. */
export type Principal = { keyId: string; role: Role; apps: readonly string[] | null; email: string };

/**
 * Who is calling, as authentication found them, and the app the request's path names as that caller may
 * see it (404 otherwise), mostly read along with the key. A function may add what its other paths name.
 */
export type Caller = { principal: Principal; pathApp: () => Promise<App> };

export type Action =
  | 'read'
  | 'apps:manage'
  | 'pipelines:manage'
  | 'keys:manage'
  | 'builds:write'
  | 'releases:deploy'
  | 'releases:rollback'
  | 'statuses:write'
  | 'promotions:create'
  /** Webhooks and integrations send the app's events out, with credentials: operators and admins. */
  | 'hooks:manage';

/** Admin may do anything; the others exactly what their job needs. */
const GRANTS: Record<Role, ReadonlySet<Action>> = {
  developer: new Set(['read', 'builds:write', 'releases:deploy']),
  operator: new Set(['read', 'builds:write', 'releases:deploy', 'releases:rollback', 'hooks:manage']),
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
    'hooks:manage',
  ]),
};

/**
 * Work that reaches beyond single apps: a key limited to some apps could otherwise create apps it would
 * then see, join pipelines other apps share, or mint itself a key for every app.
 */
const UNSCOPED_ACTIONS: ReadonlySet<Action> = new Set(['apps:manage', 'pipelines:manage', 'keys:manage']);

/** Whether a role grants an action; clients use it too, to offer only what a key may do. */
export const roleMay = (role: Role, action: Action): boolean => GRANTS[role].has(action);

export const mayAccessApp = (principal: Principal, appName: string): boolean =>
  principal.apps === null || principal.apps.includes(appName);

/** What of `items` concerns apps the key covers; the rest it must not learn exists. */
export const onlyAccessibleApps = <T extends { app: { name: string } }>(principal: Principal, items: readonly T[]): T[] =>
  items.filter((item) => mayAccessApp(principal, item.app.name));

/**
 * Refuses with 403 unless the principal's role grants `action` (and, for work beyond single apps, its key
 * covers all apps). An app the key does not cover answers 404, exactly as an app that does not exist, so
 * names cannot be probed.
 */
export const authorize = (principal: Principal, action: Action, appName?: string): void => {
  if (!roleMay(principal.role, action)) {
    throw new DomainError('forbidden', 'forbidden', `A ${principal.role} key may not perform ${action}.`, {
      role: principal.role,
      action,
    });
  }
  if (UNSCOPED_ACTIONS.has(action) && principal.apps !== null) {
    throw new DomainError('forbidden', 'forbidden_scoped_key', `Only an admin key for all apps may perform ${action}.`, {
      action,
    });
  }
  if (appName !== undefined && !mayAccessApp(principal, appName)) throw notFound('app', appName);
};

export const actorOf = (principal: Principal): Actor => ({ id: principal.keyId, email: principal.email });
