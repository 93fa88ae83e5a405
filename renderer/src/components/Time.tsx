import { formatTime, formatUtc } from '../lib/format.ts';

/** A moment in the operator's zone, with the same moment in UTC on hover (and for assistive tech). */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatTime(iso)}
    </time>
  );
}
