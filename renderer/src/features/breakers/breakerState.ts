import { effectiveState } from '../../../../shared/breakerRecord.ts';
import type { BreakerMode, BreakerState } from '../../../../shared/domain.ts';

export interface BreakersSeen {
  open: ReadonlySet<string>;
  text: string | null;
}

/**
 * What to say when a breaker changes: one sentence when it opens (by itself or forced), nothing while it
 * stays open, nothing when it closes (the jobs flowing again say that).
 */
export function breakerAnnouncement(open: ReadonlySet<string>, change: { service: string; mode: BreakerMode; state: BreakerState }): BreakersSeen {
  const isOpen = effectiveState(change) === 'open';
  if (isOpen === open.has(change.service)) return { open, text: null };
  const next = new Set(open);
  if (!isOpen) {
    next.delete(change.service);
    return { open: next, text: null };
  }
  next.add(change.service);
  const how = change.mode === 'force_open' ? 'forced open by an operator' : 'opened after repeated failures';
  return { open: next, text: `Circuit breaker ${change.service} ${how}: its jobs wait.` };
}
