/**
 * What an empty `opsdeck jobs` looked for. The views that pick jobs by their own rule (stuck, scheduled,
 * running longer than an age) are named with that rule, as `opsdeck fail --stuck` says it: a bare "no jobs
 * match" read as if the rule itself might be wrong. Any other filter keeps the plain words (its hints follow).
 */
export function noJobsText(view: { stuck: boolean; scheduled: boolean; longerThan: string | undefined }, otherFilters: boolean): string {
  const looked = view.stuck
    ? 'stuck jobs (running with an expired lease)'
    : view.scheduled
      ? 'scheduled jobs (pending, not yet due)'
      : view.longerThan !== undefined
        ? `jobs running longer than ${view.longerThan}`
        : null;
  if (looked === null) return 'no jobs match';
  return otherFilters ? `no ${looked} match the other filters` : `no ${looked}`;
}
