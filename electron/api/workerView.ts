import type { WorkerInfo } from '../../shared/domain.ts';
import type { WorkerView } from '../../shared/views.ts';

/**
 * A worker as every surface shows it (WorkerView): a lost one's last report is kept as `reported_state`, not
 * given as what it does now, and its jobs in flight are not known. The store derives `lost` (never for a
 * worker that said it stopped), so a stopped worker stays stopped.
 */
export function workerView(worker: WorkerInfo): WorkerView {
  return { ...worker, state: worker.lost ? 'lost' : worker.state, reported_state: worker.state, in_flight: worker.lost ? null : worker.in_flight };
}
