import type { Job } from '../../../../shared/domain.ts';
import { lostHolderText, type StuckWords } from '../../../../shared/lostLeasesText.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { useCall } from '../../lib/calls.ts';
import { useNow } from '../../lib/useNow.ts';
import { useTimes } from '../../lib/useTimes.ts';

/** The console's names for listing one stuck job and failing it: this drawer has the button. */
const DRAWER_STUCK_WORDS: StuckWords = { list: 'the Jobs page with "Stuck only" lists it', fail: 'Fail now below fails it' };

/**
 * A running job whose worker is lost: nobody runs it, and what becomes of it when, in the words `opsdeck
 * job ID` and the Runners page use. Nothing while its worker answers.
 */
export function LostHolder({ job }: { job: Pick<Job, 'lease_owner' | 'lease_expires_at'> }) {
  const times = useTimes();
  const now = useNow();
  const workers = useCall('workers.list', {}, { refetchInterval: 5000 });
  const holder = workers.data?.workers.find((w) => w.id === job.lease_owner);
  if (!holder?.lost) return null;
  return (
    <p className="callout callout-warn" role="status">
      {withTimes(lostHolderText(holder, job.lease_expires_at, now, DRAWER_STUCK_WORDS), times.time)}
    </p>
  );
}
