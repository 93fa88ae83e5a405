import type { HealthReport } from '../../shared/contract.ts';
import { ExecutionType, type HealthCheck } from '../../shared/domain.ts';
import { checksNamed } from '../api/handlers/health.ts';
import { REST_WORDS } from './words.ts';
import type { StoreError } from '../store/errors.ts';
import { blindStoreFailure } from '../api/storeCheck.ts';

/** What would let a caller learn the store's own words during an outage. */
export const UNCHECKED_NEEDS = 'an API key this host could check, which it cannot while its store does not answer';

const UNPROVED = 'cannot tell: the API key could not be checked while the store does not answer, and this host tells nothing of itself to a caller it has not checked';

/**
 * GET /v1/health while the store does not answer, for an API key, which is looked up in that store: the
 * key cannot be proved, so none of the checks that read this host (the registry, the runner probes) is
 * made for it, and the endpoint stays no less closed than any other. The answer keeps the report's shape
 * and check names, as the console's and the CLI's do, with the store check failing in the words every
 * request not yet signed in gets during an outage: the failure's kind, never the server, user or file.
 * `check`: the one check asked for by name; unknown names answer as the full report would.
 */
export function unprovedHealth(error: StoreError, dialect: string, check: string | undefined): { report: HealthReport } | { unknown: string } {
  const store: HealthCheck = { name: 'store', ok: false, detail: blindStoreFailure(dialect, error, UNCHECKED_NEEDS) };
  // In the order of reportWithoutStore's: the checks that need no store first.
  const names = ['registry', ...ExecutionType.options.map((kind) => `runner:${kind}`), 'migrations', 'workers', 'dispatch', 'breakers', 'workflows', 'scheduler', 'alerts'];
  const report: HealthReport = { ok: false, checks: [store, ...names.map((name) => ({ name, ok: false, detail: UNPROVED }))] };
  // No worker could be read: worker:NAME and integrity cannot tell, as the other checks, rather than be unknown.
  return check === undefined ? { report } : checksNamed(report, check, REST_WORDS, null);
}
