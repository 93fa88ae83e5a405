import type { LostWorkerLeases, WorkerInfo } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';

/**
 * The running jobs still leased to each lost worker (stopped ones hold none), read by worker from the
 * lease rows: how many, and when the last of their leases runs out.
 */
export async function lostLeases(store: Store, workers: WorkerInfo[]): Promise<LostWorkerLeases[]> {
  const out: LostWorkerLeases[] = [];
  for (const w of workers.filter((x) => x.lost && x.state !== 'stopped')) {
    const leased = await store.leasedAttempts(w.id);
    if (leased.length === 0) continue;
    const ends = leased.flatMap((a) => (a.leaseExpiresAt === null ? [] : [a.leaseExpiresAt])).sort();
    out.push({ worker_id: w.id, jobs: leased.length, leases_run_out_at: ends.at(-1) ?? null });
  }
  return out;
}

