import type { OverviewStats } from '../../../shared/contract.ts';
import type { ControlState } from '../../../shared/domain.ts';
import { closest } from '../../../shared/closestWord.ts';
import type { ApiContext } from '../../api/context.ts';
import { knownQueues } from '../../api/knownQueues.ts';
import { UsageError } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { duration, paint, printJson, when, type Io } from '../output.ts';
import { renderTable } from '../table.ts';
import { waitingLine } from '../waitingLine.ts';

/** The shape scripts parse: keep it stable. */
export function statusJson(stats: OverviewStats) {
  const queues: Record<string, Record<string, number | boolean | null>> = {};
  for (const q of stats.queues) {
    const { queue, ...rest } = q;
    queues[queue] = rest;
  }
  return { counts: stats.counts, queues, control: stats.control };
}

/** The emergency stop and safe mode, each engaged (by whom, when, why) or off. */
function flagLines(io: Io, control: ControlState): string[] {
  const flag = (label: string, f: ControlState['emergency_stop']) =>
    f.engaged ? paint(io, `${label}: ENGAGED by ${f.by ?? '?'} at ${when(f.at)}${f.reason ? ` (${f.reason})` : ''}`, 'red') : `${label}: off`;
  return [flag('emergency stop', control.emergency_stop), flag('safe mode', control.safe_mode)];
}

export function controlLines(io: Io, control: ControlState): string[] {
  const lines = flagLines(io, control);
  const paused = control.paused_queues.map((p) => `${p.queue} (by ${p.by}${p.reason ? `: ${p.reason}` : ''})`);
  lines.push(`paused queues: ${paused.length > 0 ? paused.join(', ') : 'none'}`);
  return lines;
}

type QueueRow = OverviewStats['queues'][number];

function queueTable(stats: OverviewStats, queues: QueueRow[]): string {
  return renderTable(
    [{ header: 'queue' }, { header: 'pending', align: 'right' }, { header: 'running', align: 'right' }, { header: 'completed', align: 'right' },
      { header: 'failed', align: 'right' }, { header: 'cancelled', align: 'right' }, { header: 'oldest due', align: 'right' }, { header: 'paused' }],
    queues.map((q) => [
      q.queue, String(q.pending), String(q.running), String(q.completed), String(q.failed), String(q.cancelled),
      !stats.queue_ages_read ? '?' : q.oldest_due_age_s === null ? '-' : `${q.oldest_due_age_s}s`, q.paused ? 'yes' : '',
    ]),
  );
}

/**
 * A due job is claimed within seconds while a worker has a free slot: waiting a minute, something holds it,
 * and the figure alone says nothing of what. Shorter, every burst of jobs would print a cause.
 */
const WHY_AFTER_S = 60;

const NOT_READ = 'oldest due per queue (?): not read, too many queues, services and priorities hold pending jobs';

/**
 * One queue's counts and what holds it (the runbooks' `queue-status QUEUE`). A queue no service, schedule
 * or job uses is a typo: refused with the known ones, and the likeliest meant.
 */
async function queueStatus(inv: Invocation, ctx: ApiContext, stats: OverviewStats, queue: string): Promise<number> {
  const known = await knownQueues(ctx);
  if (!known.includes(queue)) {
    const guess = closest(queue, known);
    throw new UsageError(`no queue named ${queue}${guess ? ` (did you mean ${guess}?)` : ''}: no service, schedule or job uses it; known: ${known.join(', ') || 'none'}`);
  }
  const paused = stats.control.paused_queues.find((p) => p.queue === queue);
  const row: QueueRow = stats.queues.find((q) => q.queue === queue) ?? {
    queue, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: 0, blocked: 0, paused: paused !== undefined, oldest_due_age_s: null, scheduled: 0, dead_letters: 0,
  };
  const counts = { pending: row.pending, running: row.running, completed: row.completed, failed: row.failed, cancelled: row.cancelled, waiting: row.waiting, blocked: row.blocked };
  if (inv.common.json) {
    printJson(inv.io, statusJson({ ...stats, counts, queues: [row] }));
    return 0;
  }
  const io = inv.io;
  io.out(`store: ${ctx.store.dialect} at ${ctx.store.location}`);
  if (row.waiting + row.blocked > 0) io.out(`workflow tasks: ${row.waiting} waiting for their upstream tasks, ${row.blocked} blocked by a failed upstream (workflow runs lists them)`);
  io.out('');
  io.out(queueTable(stats, [row]));
  if (!stats.queue_ages_read) io.out(NOT_READ);
  io.out('');
  for (const line of flagLines(io, stats.control)) io.out(line);
  io.out(paused ? paint(io, `queue ${queue}: PAUSED by ${paused.by} at ${when(paused.at)}${paused.reason ? ` (${paused.reason})` : ''}; opsdeck unpause ${queue}`, 'red') : `queue ${queue}: not paused`);
  return 0;
}

export const status: Command = {
  name: 'status',
  summary: 'counts by status and queue, and the control state; QUEUE: that queue only',
  usage: '[QUEUE]',
  options: {},
  async run(inv) {
    if (inv.positionals.length > 1) throw new UsageError(`status takes at most one queue, not ${inv.positionals.length}`);
    const queue = inv.positionals[0];
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const stats = await call(ctx, 'overview.stats', {});
      if (queue !== undefined) return queueStatus(inv, ctx, stats, queue);
      // Stuck jobs (a lease ran out) and stuck workflow runs (no task progress for stuck_after) are two
      // things: each is counted by its name, so a stuck run is not hidden behind "stuck 0".
      const stuckRuns = inv.common.json ? 0 : (await call(ctx, 'workflows.stuck', {})).counts.reduce((sum, c) => sum + c.stuck, 0);
      if (inv.common.json) {
        printJson(inv.io, statusJson(stats));
        return 0;
      }
      const c = stats.counts;
      const io = inv.io;
      io.out(`store: ${ctx.store.dialect} at ${ctx.store.location}`);
      io.out(
        `pending ${c.pending}  running ${c.running}  completed ${c.completed}  failed ${c.failed}  cancelled ${c.cancelled}` +
          `  |  open dead letters ${stats.dead_letters}  stuck jobs ${stats.stuck}  stuck workflow runs ${stuckRuns}`,
      );
      if (stats.stuck > 0) io.out(`stuck jobs: running with their lease run out (their worker stopped answering); jobs --stuck lists them`);
      if (stuckRuns > 0) io.out(`stuck workflow runs: no task progressed for their workflow's stuck_after; workflow runs --stuck lists them`);
      const rate = stats.failure_rate === null ? '-' : `${(stats.failure_rate * 100).toFixed(1)}%`;
      const oldest = stats.oldest_pending_age_s === null ? '-' : duration(stats.oldest_pending_age_s);
      // "failed" alone would read as failed attempts, which `opsdeck errors` counts: these are jobs that ended,
      // and a job sent back from the dead-letter queue that fails again is sent there twice, so this is no
      // count of the open dead letters above. The oldest is timed from when it became due, not created.
      io.out(`last hour: ${stats.completed_last_hour} completed, ${stats.failed_last_hour} sent to the dead-letter queue (failure rate ${rate}); oldest due job waiting ${oldest}`);
      const why = (stats.oldest_pending_age_s ?? 0) >= WHY_AFTER_S ? await waitingLine(ctx, stats) : null;
      if (why !== null) io.out(why);
      io.out('failed attempts of the last hour, retried or dead-lettered, grouped by cause: opsdeck errors');
      if (c.waiting + c.blocked > 0) io.out(`workflow tasks: ${c.waiting} waiting for their upstream tasks, ${c.blocked} blocked by a failed upstream (workflow runs lists them)`);
      if (stats.scheduled > 0) io.out(`not due yet: ${stats.scheduled}${stats.scheduled_capped ? '+' : ''} of the pending (scheduled for later, or retrying after a backoff); jobs --scheduled lists them`);
      if (stats.queues.length > 0) {
        io.out('');
        io.out(queueTable(stats, stats.queues));
        if (!stats.queue_ages_read) io.out(NOT_READ);
      }
      io.out('');
      for (const line of controlLines(io, stats.control)) io.out(line);
      return 0;
    });
  },
};
