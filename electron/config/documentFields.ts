/**
 * Reading a registry document as parsed YAML, before (or whether or not) its schema accepts it: the checks
 * beyond the schema look at what is there, whatever its shape.
 */

/** The list under `key`, or none when there is no list there. */
export function entriesOf(value: unknown, key: string): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  const list: unknown = Reflect.get(value, key);
  return Array.isArray(list) ? list : [];
}

/** The value at `keys`, one level per key; undefined where a level is not an object. */
export function fieldOf(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? Reflect.get(at, key) : undefined), value);
}
