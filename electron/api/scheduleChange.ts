import type { StoredSchedule } from '../../shared/schedule.ts';
import type { SchedulePauseChange } from '../store/store.ts';

/**
 * Why resuming a schedule does not make it fire: it is off in its definition, which an operator's pause
 * and resume never touch. Null when it is enabled.
 */
export function disabledNote(schedule: StoredSchedule): string | null {
  if (schedule.config.enabled) return null;
  return schedule.source === 'registry'
    ? `${schedule.name} is disabled in the registry (enabled: false): resuming does not fire it; enable it there`
    : `${schedule.name} was added disabled: resuming does not fire it; remove it and add it again enabled`;
}

/**
 * What a pause answers. A schedule already paused is left alone, unaudited, and the answer says so:
 * "paused" for a pause that changed nothing would read as this operator's doing.
 */
export function pauseNote({ schedule, changed }: SchedulePauseChange): string | null {
  return changed ? null : `${schedule.name} is already paused${schedule.paused_by ? ` (by ${schedule.paused_by})` : ''}: nothing to pause`;
}

/** What a resume answers: nothing to resume, or resumed yet still firing nothing. */
export function resumeNote({ schedule, changed }: SchedulePauseChange): string | null {
  return disabledNote(schedule) ?? (changed ? null : `${schedule.name} is not paused: nothing to resume`);
}
