import { Badge } from '../../components/StatusBadge.tsx';

/** A check's outcome as a badge: ok, fail, or unknown when it could not be told. */
export function Verdict({ ok }: { ok: boolean | null }) {
  return <Badge tone={ok === null ? 'muted' : ok ? 'ok' : 'bad'}>{ok === null ? 'unknown' : ok ? 'ok' : 'fail'}</Badge>;
}
