import type { HealthCheck } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';
import type { IntegrityReport, Store } from '../store/store.ts';
import { storeFailureText } from './storeCheck.ts';

/** The check's name; made only when asked for by name, and by diagnose: it reads the whole store. */
export const INTEGRITY = 'integrity';

/**
 * Whether the store's data is intact (Store.integrity: SQLite's quick_check of every page, PostgreSQL's
 * checksum failures and amcheck). Never part of the report the console and monitors poll: at a few
 * hundred megabytes SQLite's takes seconds. A store that cannot be read fails it with its own error,
 * a damaged file's included.
 */
export async function integrityCheck(ctx: ApiContext): Promise<HealthCheck> {
  try {
    const report = await integrityOnce(ctx.store);
    // The detail names the store's file; a caller blind to the host learns only the verdict.
    const detail = ctx.hostHidden === undefined ? report.detail : `${report.ok ? 'intact' : 'damaged'}${report.warning ? ' (cannot tell everything)' : ''}; the details name the store's file, which needs ${ctx.hostHidden}`;
    return { name: INTEGRITY, ok: report.ok, ...(report.warning ? { warning: true } : {}), detail };
  } catch (error) {
    return { name: INTEGRITY, ok: false, detail: storeFailureText(ctx, error) };
  }
}

const running = new WeakMap<Store, Promise<IntegrityReport>>();

/** One check of a store at a time: each reads the whole store, and any key may ask for it. */
function integrityOnce(store: Store): Promise<IntegrityReport> {
  const known = running.get(store);
  if (known) return known;
  const made = store.integrity().finally(() => running.delete(store));
  running.set(store, made);
  return made;
}
