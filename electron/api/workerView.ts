import type { WorkerInfo } from '../../shared/domain.ts';
import type { WorkerView } from '../../shared/views.ts';

/**
 * A worker as every surface shows it (WorkerView): a lost one's last report is kept as `reported_state`, not
 * given as what it does now, and its jobs in flight are not known. The store derives `lost` (never for a
 * worker that said it stopped), so a stopped worker stays stopped. One cut off by the store's last outage
 * (reconnecting.ts) is `reconnecting`: not lost, its jobs in flight not known until its next heartbeat.
 */
export function workerView(worker: WorkerInfo, reconnecting = false): WorkerView {
  if (reconnecting) return { ...worker, lost: false, state: 'reconnecting', reported_state: worker.state, in_flight: null };
  return { ...worker, state: worker.lost ? 'lost' : worker.state, reported_state: worker.state, in_flight: worker.lost ? null : worker.in_flight };
}
