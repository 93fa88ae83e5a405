import type { ControlState } from '../../../../shared/domain.ts';

/**
 * What pausing or resuming a queue did, in the operator's words, from the state the call answered with:
 * which queue, which way, and what it means for the workers. A resumed queue still waits while the
 * emergency stop or safe mode holds every queue, and says so.
 */
export function queueNotice(queue: string, state: ControlState): string {
  if (state.paused_queues.some((p) => p.queue === queue)) {
    return `Queue ${queue} paused: workers take no new jobs from it; jobs already running finish.`;
  }
  const held = state.emergency_stop.engaged ? 'the emergency stop is released' : state.safe_mode.engaged ? 'safe mode is turned off' : null;
  return held
    ? `Queue ${queue} resumed: workers take its jobs again once ${held}.`
    : `Queue ${queue} resumed: workers take its jobs again.`;
}
