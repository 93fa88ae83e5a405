import type { RawProblem } from './checks.ts';
import { fieldOf } from './documentFields.ts';
import type { PathKey } from './locate.ts';

/** `30s` for a timeout, the number itself for the rest. */
function valueText(key: string, value: unknown): string {
  return key === 'timeout' || key.endsWith('_backoff') ? `${String(value)}s` : String(value);
}

/**
 * A setting a service writes both at its own level and in its runner_config, to different values: a
 * warning at the service level's, naming the value in force. runner_config wins (shared/registry.ts,
 * effectiveTimeout and effectiveRetry); said, since neither place alone shows which one runs.
 */
export function twoPlaceChecks(item: unknown, index: number): RawProblem[] {
  const at: PathKey[] = ['services', index];
  const pairs: Array<{ key: string; path: PathKey[]; outer: unknown; inner: unknown; innerName: string }> = [
    { key: 'timeout', path: [...at, 'timeout'], outer: fieldOf(item, 'timeout'), inner: fieldOf(item, 'runner_config', 'timeout'), innerName: 'runner_config.timeout' },
  ];
  const retry = fieldOf(item, 'retry_config');
  if (retry !== null && typeof retry === 'object') {
    for (const key of Object.keys(retry)) {
      pairs.push({
        key,
        path: [...at, 'retry_config', key],
        outer: fieldOf(retry, key),
        inner: fieldOf(item, 'runner_config', 'retry_config', key),
        innerName: `runner_config.retry_config.${key}`,
      });
    }
  }
  return pairs
    .filter((p) => typeof p.outer === 'number' && typeof p.inner === 'number' && p.outer !== p.inner)
    .map((p) => ({
      path: p.path,
      message: `${p.key} is set twice: ${p.innerName} ${valueText(p.key, p.inner)} is the one in force (runner_config wins), not this ${valueText(p.key, p.outer)}; keep one`,
      severity: 'warning',
    }));
}
