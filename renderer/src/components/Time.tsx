import { useTimes } from '../lib/useTimes.ts';

/** A moment in the zone the operator chose, with the same moment in the other zone on hover (and for assistive tech). */
export function Time({ iso }: { iso: string | null | undefined }) {
  const times = useTimes();
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={times.other(iso)}>
      {times.time(iso)}
    </time>
  );
}
