/**
 * Keys users choose (config var names, metadata keys at any depth, hook options, status contexts) become
 * keys of DynamoDB maps, and two of them the document client's marshaller cannot carry: an own
 * `constructor` makes it take the map for a class instance (refused, or worse, read as the Map, Set or
 * String its `.name` says), and `__proto__` is assigned into a plain object, where it sets the prototype
 * instead of adding the key (lost on the way in, a prototype on the way out). So every request's input has
 * those keys escaped before it is marshalled, and every answer unescaped after it is unmarshalled
 * (`escapeMapKeys`/`unescapeMapKeys`, wired into the client in client.ts): stored, they read
 * `␛constructor` and `␛__proto__`. A key that starts with the escape itself is escaped too, so the mapping
 * is one to one. Attribute names of the table's own (pk, status, checks, …) are none of these; an update
 * expression that names a key inside a map through ExpressionAttributeNames must escape it itself.
 */
export const MAP_KEY_ESCAPE = '\u241b';

const isPlainMap = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * `value` with every plain object's keys renamed by `rename`, at any depth; arrays are walked, anything
 * else (strings, numbers, sets, binary) kept. Nothing is copied unless a key changes, so the usual item
 * costs one walk. Objects are rebuilt from entries, which makes `__proto__` an own key.
 */
const withKeysRenamed = (value: unknown, rename: (key: string) => string): unknown => {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const renamed = withKeysRenamed(item, rename);
      if (renamed !== item) (copy ??= [...value])[index] = renamed;
    });
    return copy ?? value;
  }
  if (!isPlainMap(value)) return value;
  const keys = Object.keys(value);
  let entries: [string, unknown][] | undefined;
  keys.forEach((key, index) => {
    const item = value[key];
    const renamedKey = rename(key);
    const renamedItem = withKeysRenamed(item, rename);
    if (!entries && (renamedKey !== key || renamedItem !== item)) entries = keys.slice(0, index).map((kept) => [kept, value[kept]]);
    entries?.push([renamedKey, renamedItem]);
  });
  return entries ? Object.fromEntries(entries) : value;
};

const escapeKey = (key: string): string =>
  key === 'constructor' || key === '__proto__' || key.startsWith(MAP_KEY_ESCAPE) ? `${MAP_KEY_ESCAPE}${key}` : key;

const unescapeKey = (key: string): string => (key.startsWith(MAP_KEY_ESCAPE) ? key.slice(MAP_KEY_ESCAPE.length) : key);

export const escapeMapKeys = <T>(value: T): T => withKeysRenamed(value, escapeKey) as T;

export const unescapeMapKeys = <T>(value: T): T => withKeysRenamed(value, unescapeKey) as T;
