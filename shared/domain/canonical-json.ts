/**
 * JSON with every object's keys in code-point order at every depth (arrays keep theirs), so two payloads that
 * mean the same, whatever order a client wrote their keys in, read as the same text.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(canonical(value));

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value).sort();
  // Built as entries, so a `__proto__` key stays an own key as JSON.parse made it.
  return Object.fromEntries(keys.map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
};
