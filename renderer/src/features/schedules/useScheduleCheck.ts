import { useEffect, useState } from 'react';
import type { ScheduleCheck } from '../../../../shared/scheduleCheck.ts';
import { useCall } from '../../lib/calls.ts';

/** How long typing pauses before the cron and zone are checked: a check per pause, not per key. */
const SETTLE_MS = 350;

/** How many next fires the form shows. */
const FIRES_SHOWN = 3;

function useSettled(value: string): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [value]);
  return settled;
}

/**
 * The host's check of the cron and zone being typed (`schedules.check`, the words an add would be refused
 * with), once typing pauses. Null while nothing is typed, while the answer is for text since edited, or
 * when the check could not be made (the add still checks).
 */
export function useScheduleCheck(cron: string, timezone: string): ScheduleCheck | null {
  const typedCron = cron.trim();
  const typedZone = timezone.trim();
  const settledCron = useSettled(typedCron);
  const settledZone = useSettled(typedZone);
  // Left empty, the zone is the contract's default, UTC, as for the add.
  const input = { cron: settledCron, ...(settledZone ? { timezone: settledZone } : {}), count: FIRES_SHOWN };
  const check = useCall('schedules.check', input, { enabled: settledCron !== '', staleTime: 30_000, retry: false });
  const current = settledCron === typedCron && settledZone === typedZone;
  return current && typedCron !== '' ? (check.data ?? null) : null;
}
