import type { ControlState } from '../../../../shared/domain.ts';

export interface ControlSeen {
  state: ControlState | null;
  text: string | null;
}

/**
 * What to say about the emergency stop when a control state arrives (a push or a stats tick): one
 * sentence when it engages or releases, nothing on the next tick that repeats it. The first state seen is
 * where the console starts, not news; an older version arriving late (a tick taken before the change) is
 * ignored rather than read as a release.
 */
export function controlAnnouncement(before: ControlState | null, after: ControlState): ControlSeen {
  if (before === null) return { state: after, text: null };
  if (after.version < before.version) return { state: before, text: null };
  const was = before.emergency_stop.engaged;
  const now = after.emergency_stop.engaged;
  if (!was && now) {
    const by = after.emergency_stop.by ? ` by ${after.emergency_stop.by}` : '';
    const reason = after.emergency_stop.reason ? `: ${after.emergency_stop.reason}` : '';
    return { state: after, text: `Emergency stop engaged${by}${reason}. No job is dispatched on any worker.` };
  }
  if (was && !now) return { state: after, text: 'Emergency stop released: dispatch resumes.' };
  return { state: after, text: null };
}
