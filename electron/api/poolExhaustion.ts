import type { HealthCheck, WorkerInfo } from '../../shared/domain.ts';
import { durationText } from '../../shared/durationText.ts';
import { countText } from '../../shared/countText.ts';
import { poolExhausted } from '../../shared/workerPool.ts';
import { PG_POOL_MAX_ENV } from '../store/open.ts';

/**
 * Each live worker whose pool was exhausted between its last two heartbeats (callers queued behind busy
 * connections waited a tenth of a second or more: poolExhausted), in a sentence with the longest wait and
 * what to do. The figures cover only the span before its last heartbeat, a couple of seconds: a pool
 * exhausted all along shows at every look. The connections in use are the most at once in that span, not
 * now, beside the store check's own pool as it stands.
 */
export function exhaustedPools(fleet: readonly WorkerInfo[]): string[] {
  return fleet.flatMap((w) => {
    const pool = w.pool;
    if (w.lost || w.state === 'stopped' || !poolExhausted(pool)) return [];
    const callers = `${countText(pool.peak_waiting)} caller${pool.peak_waiting === 1 ? '' : 's'}`;
    return [
      `worker ${w.id}'s pool was exhausted between its last two heartbeats: at most ${pool.peak_in_use} of ${pool.max} connections in use at once, up to ${callers} waiting at once, the longest for ${durationText(pool.longest_wait_ms, '-')}; ` +
        `restart it with a larger ${PG_POOL_MAX_ENV} (${pool.max} now; every process's pool counts against the server's connections) or a lower --concurrency (${w.concurrency} now), ` +
        `unless its statements wait on locks held elsewhere (a long transaction? pg_stat_activity shows them waiting on Lock), where a larger pool only holds more connections stuck behind them`,
    ];
  });
}

/** The store check with the workers' exhausted pools laid over it: a warning, never a failure. */
export function withExhaustedPools(check: HealthCheck, fleet: readonly WorkerInfo[]): HealthCheck {
  const lines = exhaustedPools(fleet);
  if (lines.length === 0) return check;
  const detail = `${check.detail}; ${lines.join('; ')}`;
  return check.ok ? { ...check, ok: true, warning: true, detail } : { ...check, detail };
}
