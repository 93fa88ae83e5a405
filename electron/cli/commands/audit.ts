import { int, positionals, str } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { printJson, when } from '../output.ts';
import { renderTable } from '../table.ts';

export const audit: Command = {
  name: 'audit',
  summary: 'operator actions, newest first',
  usage: '[--action A] [--search TEXT] [--limit N] [--after CURSOR]',
  options: {
    action: { type: 'string', value: 'A', description: 'only this action (e.g. control.emergency_stop, dlq.retry)' },
    search: { type: 'string', value: 'TEXT', description: 'actor, target or details contain TEXT' },
    limit: { type: 'string', value: 'N', description: 'at most N entries (default 50)' },
    after: { type: 'string', value: 'CURSOR', description: 'the next page' },
  },
  async run(inv) {
    positionals(inv, []);
    const { values } = inv;
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const page = await call(ctx, 'audit.list', { action: str(values, 'action'), search: str(values, 'search'), limit: int(values, 'limit', 1, 500) ?? 50, after: str(values, 'after') ?? null });
      if (inv.common.json) printJson(inv.io, page);
      else if (page.entries.length === 0) inv.io.out('no audit entries');
      else {
        inv.io.out(
          renderTable(
            [{ header: 'at' }, { header: 'actor', max: 40 }, { header: 'action' }, { header: 'target', max: 40 }, { header: 'jobs', align: 'right' }, { header: 'details', max: 80 }],
            page.entries.map((e) => [when(e.at), e.actor, e.action, e.target ?? '', e.job_count === null ? '' : String(e.job_count), e.details ? JSON.stringify(e.details) : '']),
          ),
        );
        if (page.next_cursor) inv.io.out(`\nmore: --after ${page.next_cursor}`);
      }
      return 0;
    });
  },
};
