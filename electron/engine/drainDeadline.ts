import type { ControlState } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';

/** How often a worker looks whether a safe-mode drain ran out: its emergency stop comes at most this late. */
export const DRAIN_CHECK_MS = 1000;

/**
 * Ends a safe-mode drain once its deadline has passed in the control state this worker follows: the store
 * decides, in one transaction, whether it is due and whether jobs still run to stop (Store.endDrain), so of
 * every worker and CLI that try, one ends it. A clock ahead of the store's asks early and is told none is due.
 */
export async function endDrainIfDue(store: Store, control: ControlState | null, log: Logger, now = Date.now()): Promise<boolean> {
  const drain = control?.drain;
  if (drain === undefined || Date.parse(drain.until) > now) return false;
  const ended = await store.endDrain();
  if (ended === null) return false;
  const fields = { running: ended.running, drain_s: ended.drain.seconds, asked_by: ended.drain.by };
  if (ended.stopped) log.warn('safe-mode drain ran out with jobs still running: emergency stop engaged', fields);
  else log.info('safe-mode drain ran out: nothing left to stop', fields);
  return true;
}
