/**
 * Maps keyed by names users choose (status contexts, config var names, metadata keys, hook options) are
 * plain objects, which inherit `constructor`, `toString`, `valueOf`, … from Object.prototype and whose
 * `__proto__` is the prototype's accessor unless the map has an entry of that name. A name is therefore
 * looked up with `ownEntry` (never `map[name]` or `name in map`), and a map is built from its entries
 * (`Object.fromEntries` makes each an own property, `__proto__` included), never by assigning `map[name]`.
 */
export const ownEntry = <V>(map: Readonly<Record<string, V>>, name: string): V | undefined =>
  Object.hasOwn(map, name) ? map[name] : undefined;
