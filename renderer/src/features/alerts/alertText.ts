import type { AlertChannel, AlertRule, AlertState } from '../../../../shared/alerts.ts';

/** What a rule watches, in words, for the rules table. */
export function ruleCondition(rule: AlertRule): string {
  const of = 'service' in rule && rule.service ? ` of ${rule.service}` : '';
  switch (rule.kind) {
    case 'failure_rate':
      return `more than ${Math.round(rule.threshold * 100)}% of attempts${of} fail in ${rule.window} (at least ${rule.min_volume} attempts)`;
    case 'dead_letters':
      return `${rule.count} or more dead letters${of} in ${rule.window}`;
    case 'oldest_due':
      return `a due job${rule.queue ? ` of queue ${rule.queue}` : ''} waits longer than ${rule.older_than}`;
    case 'breaker_open':
      return `a breaker${of} is open longer than ${rule.older_than}`;
    case 'worker_lost':
      return `a worker stops answering (within ${rule.within})`;
    case 'no_live_worker':
      return 'jobs are due and no live worker runs them';
    case 'schedule_missed':
      return `a schedule${rule.schedule ? ` (${rule.schedule})` : ''} misses its fire`;
  }
}

/**
 * What "Firing now" says while nothing fires: with no rule at all, that nothing can, and how to add one
 * with the page's own control, rather than a calm "Nothing is firing" that an operator would read as watched.
 */
export function notFiringText(rules: number): { title: string; detail: string | null } {
  if (rules > 0) return { title: 'Nothing is firing.', detail: null };
  return { title: 'No alert rules, so nothing can fire.', detail: 'Add one with New rule, under Rules below.' };
}

export function channelText(channel: AlertChannel): string {
  return channel.type === 'desktop' ? 'desktop' : `${channel.type} (${channel.url_env_var})`;
}

/** Silenced now: a silence whose end is still ahead. */
export function isSilenced(state: AlertState | null, now: number): boolean {
  return state?.silenced_until != null && Date.parse(state.silenced_until) > now;
}

/** The choices of the silence menu, in minutes. */
export const SILENCE_CHOICES: Array<{ minutes: number; label: string }> = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '1 day' },
];

/** The page banner's text for a pushed transition. */
export function transitionText(change: { rule: string; status: 'firing' | 'resolved'; severity: string; summary: string }): string {
  return change.status === 'firing' ? `Alert firing (${change.severity}): ${change.rule}: ${change.summary}` : `Alert resolved: ${change.rule}: ${change.summary}`;
}
