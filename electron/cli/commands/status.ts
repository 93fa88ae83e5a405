import type { OverviewStats } from '../../../shared/contract.ts';
import type { ControlState } from '../../../shared/domain.ts';
import { positionals } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { duration, paint, printJson, when, type Io } from '../output.ts';
import { renderTable } from '../table.ts';

/** The shape scripts parse: keep it stable. */
export function statusJson(stats: OverviewStats) {
  const queues: Record<string, Record<string, number | boolean | null>> = {};
  for (const q of stats.queues) {
    const { queue, ...rest } = q;
    queues[queue] = rest;
  }
  return { counts: stats.counts, queues, control: stats.control };
}

export function controlLines(io: Io, control: ControlState): string[] {
  const lines: string[] = [];
  const flag = (label: string, f: ControlState['emergency_stop']) =>
    f.engaged ? paint(io, `${label}: ENGAGED by ${f.by ?? '?'} at ${when(f.at)}${f.reason ? ` (${f.reason})` : ''}`, 'red') : `${label}: off`;
  lines.push(flag('emergency stop', control.emergency_stop));
  lines.push(flag('safe mode', control.safe_mode));
  const paused = control.paused_queues.map((p) => `${p.queue} (by ${p.by}${p.reason ? `: ${p.reason}` : ''})`);
  lines.push(`paused queues: ${paused.length > 0 ? paused.join(', ') : 'none'}`);
  return lines;
}

export const status: Command = {
  name: 'status',
  summary: 'counts by status and queue, and the control state',
  usage: '',
  options: {},
  async run(inv) {
    positionals(inv, []);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const stats = await call(ctx, 'overview.stats', {});
      // Stuck jobs (a lease ran out) and stuck workflow runs (no task progress for stuck_after) are two
      // things: each is counted by its name, so a stuck run is not hidden behind "stuck 0".
      const stuckRuns = inv.common.json ? [] : (await call(ctx, 'workflows.stuck', {})).runs;
      if (inv.common.json) {
        printJson(inv.io, statusJson(stats));
        return 0;
      }
      const c = stats.counts;
      const io = inv.io;
      io.out(`store: ${ctx.store.dialect} at ${ctx.store.location}`);
      io.out(
        `pending ${c.pending}  running ${c.running}  completed ${c.completed}  failed ${c.failed}  cancelled ${c.cancelled}` +
          `  |  open dead letters ${stats.dead_letters}  stuck jobs ${stats.stuck}  stuck workflow runs ${stuckRuns.length}`,
      );
      if (stats.stuck > 0) io.out(`stuck jobs: running with their lease run out (their worker stopped answering); jobs --stuck lists them`);
      if (stuckRuns.length > 0) io.out(`stuck workflow runs: no task progressed for their workflow's stuck_after; workflow runs --stuck lists them`);
      const rate = stats.failure_rate === null ? '-' : `${(stats.failure_rate * 100).toFixed(1)}%`;
      const oldest = stats.oldest_pending_age_s === null ? '-' : duration(stats.oldest_pending_age_s);
      // "failed" alone would read as failed attempts, which `opsdeck errors` counts: these are jobs that ended,
      // and a job sent back from the dead-letter queue that fails again is sent there twice, so this is no
      // count of the open dead letters above. The oldest is timed from when it became due, not created.
      io.out(`last hour: ${stats.completed_last_hour} completed, ${stats.failed_last_hour} sent to the dead-letter queue (failure rate ${rate}); oldest due job waiting ${oldest}`);
      io.out('failed attempts of the last hour, retried or dead-lettered, grouped by cause: opsdeck errors');
      if (c.waiting + c.blocked > 0) io.out(`workflow tasks: ${c.waiting} waiting for their upstream tasks, ${c.blocked} blocked by a failed upstream (workflow runs lists them)`);
      if (stats.scheduled > 0) io.out(`not due yet: ${stats.scheduled}${stats.scheduled_capped ? '+' : ''} of the pending (scheduled for later, or retrying after a backoff); jobs --scheduled lists them`);
      if (stats.queues.length > 0) {
        io.out('');
        io.out(
          renderTable(
            [{ header: 'queue' }, { header: 'pending', align: 'right' }, { header: 'running', align: 'right' }, { header: 'completed', align: 'right' },
              { header: 'failed', align: 'right' }, { header: 'cancelled', align: 'right' }, { header: 'oldest due', align: 'right' }, { header: 'paused' }],
            stats.queues.map((q) => [
              q.queue, String(q.pending), String(q.running), String(q.completed), String(q.failed), String(q.cancelled),
              !stats.queue_ages_read ? '?' : q.oldest_due_age_s === null ? '-' : `${q.oldest_due_age_s}s`, q.paused ? 'yes' : '',
            ]),
          ),
        );
        if (!stats.queue_ages_read) io.out('oldest due per queue (?): not read, too many queues, services and priorities hold pending jobs');
      }
      io.out('');
      for (const line of controlLines(io, stats.control)) io.out(line);
      return 0;
    });
  },
};
