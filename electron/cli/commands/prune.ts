import { countText } from '../../../shared/countText.ts';
import { parseDuration } from '../../../shared/duration.ts';
import { DEFAULT_RETENTION } from '../../../shared/retention.ts';
import { LEASE_WAIT_MS, operatorPruneOwner, PruneLeaseHeld, PruneLeaseLost, pruneUnderLease } from '../../engine/pruning.ts';
import type { MaintenanceHolder } from '../../store/store.ts';
import { flag, str, UsageError, type Values } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import { CliFailure, type Command } from '../command.ts';
import { sayNoRegistry } from '../noRegistry.ts';
import { bytesText, duration, printJson, when } from '../output.ts';

function waitSeconds(values: Values): number {
  const text = str(values, 'wait');
  if (text === undefined) return LEASE_WAIT_MS / 1000;
  const seconds = parseDuration(text);
  if (seconds === null) throw new UsageError(`--wait takes a duration like 30s, 2m or 0 (refuse at once), not "${text}"`);
  return seconds;
}

function heldUntil(holder: MaintenanceHolder): string {
  return `until ${when(holder.until)} (a worker's background round or another prune)`;
}

export const prune: Command = {
  name: 'prune',
  summary: 'prune finished jobs past their retention now (--dry-run: count them)',
  usage: '[--dry-run | --wait DURATION]',
  details: [
    'Retention comes from the registry (retention: completed, cancelled, dead_letters, history); the defaults keep',
    'completed and cancelled jobs 7 days, resolved dead letters 30 days and the chart history 30 days. Pending,',
    'running and unresolved failed jobs are never pruned; the audit log is kept. Workers prune in the background',
    'anyway, a little at a time, one at a time; this does it all now, in short batches, and is audited.',
    'It takes the pruning lease the workers take for each of their rounds, so it never prunes beside them:',
    'while another process holds it, it says who and until when and waits (--wait, 30s by default),',
    'then gives up with exit 1. --dry-run takes no lease.',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', description: 'say how many jobs and how much space, change nothing' },
    wait: { type: 'string', value: 'DURATION', description: 'how long to wait for the pruning lease another process holds (default 30s; 0 refuses at once)' },
  },
  async run(inv) {
    if (inv.positionals.length > 0) throw new UsageError(`unexpected argument "${inv.positionals[0]}"`);
    const wait = waitSeconds(inv.values);
    return withRuntime(inv, async ({ ctx }) => {
      const { retention } = await call(ctx, 'retention.get', {});
      // Jobs the registry would keep longer are pruned by the defaults: said before, not found missing after.
      sayNoRegistry(ctx.registry, inv.io, "the retention is opsdeck's defaults, not the registry's");
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
      const done = await pruneUnderLease(ctx.store, ctx.registry.registry.retention ?? DEFAULT_RETENTION, ctx.actor, {
        owner: operatorPruneOwner(ctx.actor),
        waitMs: wait * 1000,
        onWait: (holder) => inv.io.err(`opsdeck: waiting up to ${duration(wait)} for the pruning lease: ${holder.owner} holds it ${heldUntil(holder)}`),
        onBatch(progress) {
          if (inv.common.json || Date.now() - lastReport < 1000) return;
          lastReport = Date.now();
          inv.io.err(`pruned ${progress.completed + progress.cancelled + progress.dead_letters} so far (up to job ${progress.reachedId})`);
        },
      }).catch((error: unknown) => {
        if (error instanceof PruneLeaseHeld) {
          throw new CliFailure(`${error.holder.owner} still holds the pruning lease, ${heldUntil(error.holder)}: pruned nothing; run opsdeck prune again once it is free, or with a longer --wait`);
        }
        if (error instanceof PruneLeaseLost) {
          const { pruned } = error;
          throw new CliFailure(
            `stopped after pruning ${pruned.completed + pruned.cancelled + pruned.dead_letters} job(s): the pruning lease went to ${error.holder?.owner ?? 'another process'}, this one having gone a minute without renewing it; run opsdeck prune again`,
          );
        }
        throw error;
      });
      const result = { dry_run: false, completed: done.completed, cancelled: done.cancelled, dead_letters: done.dead_letters, bytes: done.freedBytes, history_rows: done.historyRows };
      if (inv.common.json) printJson(inv.io, result);
      else {
        inv.io.out(`retention: ${policy}`);
        inv.io.out(
          `pruned ${countText(done.completed)} completed, ${countText(done.cancelled)} cancelled and ${countText(done.dead_letters)} resolved dead letter(s), ${countText(done.historyRows)} row(s) of chart history; gave back ${bytesText(done.freedBytes)}`,
        );
      }
      return 0;
    });
  },
};
