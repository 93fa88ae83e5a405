import { keysAt, sectionsBelow, type Section } from './schemaAt.ts';
import type { PathKey } from './locate.ts';

/**
 * Where a key unknown at one level of the registry is known: a section below it (`auth_type` beside
 * `execution_type` belongs under `runner_config`), a section beside the one it is in (`max_retries`
 * under `circuit_breaker` belongs under `retry_config`), or the level above (`queue` under
 * `runner_config` belongs beside it). Keys are compared as written in any case, with or without `_`,
 * so `dependsOn` written on a workflow is sent to its tasks as `depends_on`.
 */

/** A key as compared: any case, with or without `_` and `-`. */
export const plainKey = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

function found(keys: readonly string[], key: string): string | undefined {
  return keys.find((k) => plainKey(k) === plainKey(key));
}

function asWritten(key: string, known: string): string {
  return known === key ? '' : ` as ${known}`;
}

function under(section: Section): string {
  const name = section.path.join('.');
  return section.list ? `in each entry of ${name}` : `under ${name}`;
}

/** The nearest section below `path` that takes the key: the shallowest, in the schema's order. */
function below(key: string, path: readonly PathKey[], root: unknown, skip: string | undefined): string | null {
  const sections = sectionsBelow(root, path)
    .filter((s) => s.path[0] !== skip)
    .sort((a, b) => a.path.length - b.path.length);
  for (const section of sections) {
    const known = found(section.keys, key);
    if (known) return `it belongs ${under(section)}${asWritten(key, known)}`;
  }
  return null;
}

/** What to say of a key the map at `parent` does not take but a neighbouring level does; null when none does. */
export function homeOf(key: string, parent: readonly PathKey[], root: unknown): string | null {
  const down = below(key, parent, root, undefined);
  if (down) return down;
  // The map holding this one: one step up from a section, two from an entry of a list.
  const last = parent[parent.length - 1];
  const up = typeof last === 'number' ? parent.slice(0, -2) : parent.slice(0, -1);
  const section = typeof last === 'number' ? parent[parent.length - 2] : last;
  if (typeof section !== 'string' || parent.length === 0) return null;
  const beside = below(key, up, root, section);
  if (beside) return beside;
  const known = found(keysAt(root, up), key);
  if (known) return `it belongs one level up, beside ${section}${asWritten(key, known)}`;
  return null;
}
