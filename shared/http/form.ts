/**
 * `application/x-www-form-urlencoded` bodies, for scripts: bracket keys nest (`meta_data[foo]=bar`),
 * `[]` and small `[n]` indexes make arrays, a repeated plain key collects its values, and `true`/`false`
 * are booleans, since a form has no other way to send one. URLSearchParams decodes the pairs; the nesting
 * is built here, in the ways qs builds it (which Slipway used before, at ~50 KB of every function's bundle).
 */

/** How nested a field may be (deeper brackets stay one literal key), how many fields count, the highest `[n]` that is an array index. */
const FORM_LIMITS = { depth: 5, fields: 200, arrayIndex: 20 } as const;

type Leaf = string | boolean;
type Value = Leaf | Branch | Value[];

/** A bracketed container while the form is read: named members, `[n]` members and `[]` members, in order. */
class Branch {
  readonly named = new Map<string, Value>();
  readonly indexed = new Map<number, Value>();
  readonly pushed: Value[] = [];
}

const leafOf = (value: string): Leaf => (value === 'true' || value === 'false' ? value === 'true' : value);

/** `a[b][]` → `['a', 'b', '']`; brackets past the depth limit stay one segment, brackets and all. */
const segmentsOf = (key: string): string[] => {
  const open = key.indexOf('[');
  const segments = open === -1 ? [key] : open === 0 ? [] : [key.slice(0, open)];
  if (open === -1) return segments;
  const bracket = /\[([^[\]]*)\]/g;
  bracket.lastIndex = open;
  for (let depth = 0; ; depth++) {
    const start = bracket.lastIndex;
    const match = bracket.exec(key);
    if (!match) return segments;
    if (depth === FORM_LIMITS.depth) return [...segments, key.slice(start)];
    segments.push(match[1] ?? '');
  }
};

/** Two values at one key become a list of both, as a repeated `a=1&a=2` does. */
const combined = (existing: Value | undefined, value: Value): Value =>
  existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];

const indexOf = (segment: string): number | undefined => {
  const index = Number(segment);
  return /^\d+$/.test(segment) && index <= FORM_LIMITS.arrayIndex ? index : undefined;
};

/**
 * Puts `value` at `segments` under `branch`; a name that would reach an object's prototype is dropped.
 * The form's own top-level fields are names whatever they look like.
 */
const place = (branch: Branch, [segment, ...rest]: string[], value: Leaf, topLevel = false): void => {
  if (segment === undefined || (topLevel && segment === '')) return;
  const index = topLevel ? undefined : indexOf(segment);
  if (segment !== '' && index === undefined && segment in Object.prototype) return;
  const nested = (existing: Value | undefined): Value => {
    if (rest.length === 0) return combined(existing, value);
    if (existing instanceof Branch) {
      place(existing, rest, value);
      return existing;
    }
    const fresh = new Branch();
    place(fresh, rest, value);
    return combined(existing, fresh);
  };
  if (segment === '' && !topLevel) branch.pushed.push(nested(undefined));
  else if (index !== undefined) branch.indexed.set(index, nested(branch.indexed.get(index)));
  else branch.named.set(segment, nested(branch.named.get(segment)));
};

/** A branch with no named members is an array: its indexed members in index order (gaps closed), then `[]` ones. */
const finished = (value: Value): unknown => {
  if (Array.isArray(value)) return value.map(finished);
  if (!(value instanceof Branch)) return value;
  const ordered = [...value.indexed].sort(([a], [b]) => a - b).map(([, member]) => member);
  const listed = [...ordered, ...value.pushed].map(finished);
  if (value.named.size === 0) return listed;
  return { ...Object.fromEntries(listed.map((member, index) => [String(index), member])), ...Object.fromEntries([...value.named].map(([name, member]) => [name, finished(member)])) };
};

export const parseForm = (text: string): Record<string, unknown> => {
  const root = new Branch();
  let fields = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (fields++ === FORM_LIMITS.fields) break;
    place(root, segmentsOf(key), leafOf(value), true);
  }
  return Object.fromEntries([...root.named].map(([name, member]) => [name, finished(member)]));
};
