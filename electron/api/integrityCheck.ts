import type { HealthCheck } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';

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
    const report = await ctx.store.integrity();
    return { name: INTEGRITY, ok: report.ok, ...(report.warning ? { warning: true } : {}), detail: report.detail };
  } catch (error) {
    return { name: INTEGRITY, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
