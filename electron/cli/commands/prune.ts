import { DEFAULT_RETENTION } from '../../../shared/retention.ts';
import { pruneRound } from '../../engine/pruning.ts';
import { flag, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command } from '../command.ts';
import { bytesText, printJson } from '../output.ts';

export const prune: Command = {
  name: 'prune',
  summary: 'prune finished jobs past their retention now (--dry-run: count them)',
  usage: '[--dry-run]',
  details: [
    'Retention comes from the registry (retention: completed, cancelled, dead_letters, history); the defaults keep',
    'completed and cancelled jobs 7 days, resolved dead letters 30 days and the chart history 30 days. Pending,',
    'running and unresolved failed jobs are never pruned; the audit log is kept. Workers prune in the background',
    'anyway, a little at a time, one at a time; this does it all now, in short batches, and is audited.',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', description: 'say how many jobs and how much space, change nothing' },
  },
  async run(inv) {
    if (inv.positionals.length > 0) throw new UsageError(`unexpected argument "${inv.positionals[0]}"`);
    return withRuntime(inv, async ({ ctx }) => {
      const { retention } = await call(ctx, 'retention.get', {});
      const policy = `completed ${retention.completed}, cancelled ${retention.cancelled}, resolved dead letters ${retention.dead_letters}, history ${retention.history}`;
      if (flag(inv.values, 'dry-run')) {
        const estimate = await call(ctx, 'retention.prune', { dry_run: true });
        if (inv.common.json) printJson(inv.io, estimate);
        else {
          inv.io.out(`retention: ${policy}`);
          inv.io.out(
            `would prune ${estimate.completed} completed, ${estimate.cancelled} cancelled and ${estimate.dead_letters} resolved dead letter(s), about ${bytesText(estimate.bytes)}; run again without --dry-run to do it`,
          );
        }
        return 0;
      }
      let lastReport = Date.now();
      const done = await pruneRound(ctx.store, ctx.registry.registry.retention ?? DEFAULT_RETENTION, ctx.actor, {
        auditEmpty: true,
        onBatch(progress) {
          if (inv.common.json || Date.now() - lastReport < 1000) return;
          lastReport = Date.now();
          inv.io.err(`pruned ${progress.completed + progress.cancelled + progress.dead_letters} so far (up to job ${progress.reachedId})`);
        },
      });
      const result = { dry_run: false, completed: done.completed, cancelled: done.cancelled, dead_letters: done.dead_letters, bytes: done.freedBytes, history_rows: done.historyRows };
      if (inv.common.json) printJson(inv.io, result);
      else {
        inv.io.out(`retention: ${policy}`);
        inv.io.out(
          `pruned ${done.completed} completed, ${done.cancelled} cancelled and ${done.dead_letters} resolved dead letter(s), ${done.historyRows} row(s) of chart history; gave back ${bytesText(done.freedBytes)}`,
        );
      }
      return 0;
    });
  },
};
