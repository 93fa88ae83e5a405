import type { WorkerRegistry } from '../../shared/domain.ts';
import { registryWords } from '../../shared/workerRegistry.ts';
import type { RunResult } from '../runners/runner.ts';
import type { RegistrySource } from './dispatcherOptions.ts';

/** The registry a worker runs, as it declares it to the store; null when its source does not say (tests' fakes). */
export function runningRegistry(source: RegistrySource): WorkerRegistry | null {
  const { digest, loadedAt } = source;
  if (digest === undefined || digest === null || loadedAt === undefined || loadedAt === null) return null;
  return { digest, path: source.path ?? null, loaded_at: loadedAt.toISOString() };
}

/** What the registry decides: a command off the allowlist, a service it lacks, a setting it names. */
const REGISTRY_CLASSES: ReadonlySet<string> = new Set(['allowlist', 'config']);

/**
 * A job the registry refused says which registry refused it: a worker that was not sent SIGHUP after the
 * file was edited refuses by the registry it had, and the file on disk no longer says so. The digest and
 * time are folded out of the fingerprint, so the dead-letter groups stay one per refusal. `registryOf` is
 * asked only for such a refusal: every other result, a job's every completion among them, passes as it is.
 */
export function withRegistry(result: RunResult, registryOf: () => WorkerRegistry | null): RunResult {
  if (result.error === undefined || !REGISTRY_CLASSES.has(result.error.error_class)) return result;
  const registry = registryOf();
  if (registry === null) return result;
  const from = registry.path === null ? '' : ` from ${registry.path}`;
  return { ...result, error: { ...result.error, message: `${result.error.message} (this worker's ${registryWords(registry)}${from})` } };
}
