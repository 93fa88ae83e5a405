import type { ControlState, SafeModeDrain } from '../../shared/domain.ts';
import type { StoppedJobs } from './controlStore.ts';
import { countText } from '../../shared/countText.ts';
import { secondsText } from '../../shared/durationText.ts';

/** The drain a control row records, or none: the three columns are set together and cleared together. */
export function drainOf(by: string | null, at: string | null, until: string | null): { drain?: SafeModeDrain } {
  if (by === null || at === null || until === null) return {};
  return { drain: { by, at, until, seconds: Math.round((Date.parse(until) - Date.parse(at)) / 1000) } };
}

/** Why the drain's emergency stop was engaged, in its reason: what the stop's banner and the audit log say. */
export function drainStopReason(running: number, seconds: number): string {
  return `safe-mode drain: ${countText(running)} job(s) still running after ${secondsText(seconds)}`;
}

/** What ending a drain whose deadline passed did: the stop it engaged in the name of who asked, if any. */
export interface DrainEnded {
  drain: SafeModeDrain;
  /** Jobs running as it ended. */
  running: number;
  /** What the emergency stop found as it engaged; null when it engaged none (nothing ran, or it was engaged already). */
  stopped: StoppedJobs | null;
  state: ControlState;
}
