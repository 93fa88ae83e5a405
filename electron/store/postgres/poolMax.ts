import { StoreError } from '../errors.ts';

/** The variable that sets how many connections one process's PostgreSQL pool may hold. */
export const PG_POOL_MAX_ENV = 'OPSDECK_PG_POOL_MAX';
export const DEFAULT_PG_POOL_MAX = 8;
/**
 * With one connection a worker's heartbeats and lease extensions wait behind every claim and every
 * operator's read; past 100, one process alone could take what a server allows all its clients by default.
 */
const LEAST = 2;
const MOST = 100;

/**
 * The pool size OPSDECK_PG_POOL_MAX asks for, 8 when it is unset or empty. Any other value than a whole
 * number from 2 to 100 is refused when the store is opened, naming the variable and the range, rather than
 * guessed at: a server with a small connection budget is what made the operator set it.
 */
export function pgPoolMax(env: Record<string, string | undefined>): number {
  const raw = env[PG_POOL_MAX_ENV]?.trim();
  if (!raw) return DEFAULT_PG_POOL_MAX;
  const size = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (size >= LEAST && size <= MOST) return size;
  throw new StoreError(
    'bad_setting',
    `${PG_POOL_MAX_ENV} is ${JSON.stringify(raw.slice(0, 40))}, not a whole number from ${LEAST} to ${MOST}`,
    `set it to the most connections each opsdeck process may hold on PostgreSQL (${LEAST} to ${MOST}), or unset it for ${DEFAULT_PG_POOL_MAX}`,
  );
}
