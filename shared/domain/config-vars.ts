import type { Actor } from './model';
import { DomainError, unprocessable } from './errors';
import { ownEntry } from './own-entries';

/**
 * An app's config vars: the environment its containers get. Each change makes a new, immutable config
 * version; releases reference the version they run with, so rollback restores it and diffs compare two.
 */

/** POSIX portable environment variable names. */
export const CONFIG_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_CONFIG_VAR_NAME_BYTES = 256;
export const MAX_CONFIG_VAR_VALUE_BYTES = 32 * 1024;
/** A whole config version, names and values in UTF-8 bytes: keeps the item, and ECS's task definition, small. */
export const MAX_CONFIG_BYTES = 64 * 1024;
export const MAX_CONFIG_VARS = 200;
/** What the API shows in place of a secret's value. */
export const SECRET_MASK = '********';
/** Set by Slipway on every release's container; a config var may not take them over. */
const RESERVED_CONFIG_VAR_PREFIX = 'SLIPWAY_RELEASE_';

/** A plain var carries its value; a secret only the reference its store gave it (the task definition's valueFrom). */
type ConfigVar = { secret: false; value: string } | { secret: true; value_from: string };
export type ConfigVars = Record<string, ConfigVar>;

export type ConfigVersion = {
  app_id: string;
  version: number;
  vars: ConfigVars;
  /** The change that made it; a retry of that change (same Idempotency-Key) finds it again. */
  change_id: string;
  user: Actor;
  created_at: string;
};

/** What a `PATCH /apps/{app}/config-vars` asks for, by name: a value to set (plain or secret), or null to unset. */
export type ConfigChange = Record<string, { value: string; secret: boolean } | null>;

const utf8 = new TextEncoder();
const bytes = (value: string) => utf8.encode(value).byteLength;

/** Refuses a change that names nothing or takes over Slipway's own release vars. */
export const assertConfigChange = (change: ConfigChange): void => {
  const names = Object.keys(change);
  if (names.length === 0) {
    throw unprocessable('no_config_changes', 'Name at least one config var to set (a value) or unset (null).');
  }
  const reserved = names.filter((name) => name.startsWith(RESERVED_CONFIG_VAR_PREFIX));
  if (reserved.length > 0) {
    throw unprocessable('reserved_config_var', `Config vars starting ${RESERVED_CONFIG_VAR_PREFIX} are set by Slipway on every release.`, {
      names: reserved,
    });
  }
};

/** Applies a change whose secret values are already stored (their references given); the result is bounded. */
export const applyConfigChange = (
  current: ConfigVars,
  change: ConfigChange,
  secretRefs: Readonly<Record<string, string>>,
): ConfigVars => {
  // A Map, so every name (`__proto__` and `constructor` too) is a var like any other.
  const next = new Map<string, ConfigVar>(Object.entries(current));
  for (const [name, entry] of Object.entries(change)) {
    if (entry === null) next.delete(name);
    else if (entry.secret) next.set(name, { secret: true, value_from: ownEntry(secretRefs, name) ?? missingRef(name) });
    else next.set(name, { secret: false, value: entry.value });
  }
  const size = [...next].reduce((total, [name, entry]) => total + bytes(name) + configVarBytes(entry), 0);
  if (next.size > MAX_CONFIG_VARS || size > MAX_CONFIG_BYTES) {
    throw new DomainError('payload_too_large', 'config_too_large', `An app's config may hold at most ${MAX_CONFIG_VARS} vars and ${MAX_CONFIG_BYTES} bytes of UTF-8.`, {
      vars: next.size,
      bytes: size,
    });
  }
  return Object.fromEntries(next);
};

const missingRef = (name: string): never => {
  throw new Error(`No stored secret reference for ${name}`);
};

const configVarBytes = (entry: ConfigVar): number => bytes(entry.secret ? entry.value_from : entry.value);

/** "Set FOO, BAR, unset BAZ": the description of the release a change makes. */
export const describeConfigChange = (change: ConfigChange): string => {
  const set = Object.keys(change).filter((name) => change[name] !== null);
  const unset = Object.keys(change).filter((name) => change[name] === null);
  const parts = [...(set.length ? [`Set ${set.join(', ')}`] : []), ...(unset.length ? [`unset ${unset.join(', ')}`] : [])];
  const description = parts.join(', ');
  return description.charAt(0).toUpperCase() + description.slice(1);
};

/** A var as anyone outside the rollout may see it: a secret's value is never shown. */
const shownValue = (entry: ConfigVar): string => (entry.secret ? SECRET_MASK : entry.value);

export const maskedConfig = (vars: ConfigVars): Record<string, string> =>
  Object.fromEntries(Object.entries(vars).map(([name, entry]) => [name, shownValue(entry)]));

export type ConfigDiff = {
  added: Record<string, string>;
  removed: Record<string, string>;
  changed: Record<string, { from: string; to: string }>;
};

/** What going from `from` to `to` changes, secrets masked (a secret changed when it was stored anew or made plain). */
export const diffConfig = (from: ConfigVars, to: ConfigVars): ConfigDiff => {
  const added: [string, string][] = [];
  const changed: [string, { from: string; to: string }][] = [];
  for (const [name, entry] of Object.entries(to)) {
    const before = ownEntry(from, name);
    if (!before) added.push([name, shownValue(entry)]);
    else if (!sameVar(before, entry)) changed.push([name, { from: shownValue(before), to: shownValue(entry) }]);
  }
  const removed = Object.entries(from).flatMap(([name, entry]): [string, string][] => (Object.hasOwn(to, name) ? [] : [[name, shownValue(entry)]]));
  return { added: Object.fromEntries(added), removed: Object.fromEntries(removed), changed: Object.fromEntries(changed) };
};

const sameVar = (a: ConfigVar, b: ConfigVar): boolean =>
  a.secret ? b.secret && a.value_from === b.value_from : !b.secret && a.value === b.value;
