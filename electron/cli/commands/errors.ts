import { countText } from '../../../shared/countText.ts';
import { FAILURE_WINDOW_MAX_MINUTES } from '../../../shared/contract.ts';
import { positionals, str, windowMinutes } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { printJson, timesIn, when } from '../output.ts';
import { noMatchHints } from '../noMatchHints.ts';
import { renderTable } from '../table.ts';
import { tableFit, WIDE_OPTION } from '../tableFit.ts';

export const errors: Command = {
  name: 'errors',
  summary: 'recent failed attempts grouped by service, failure class and error, retrying or dead',
  usage: '[--since 1h] [--service NAME] [--wide]',
  details: [
    'Every failed attempt counts, whether its job will retry or went to the dead-letter queue: the first',
    'place to look while an upstream fails. Largest groups first.',
    '  FAILURES       failed attempts in the window',
    '  DEAD-LETTERED  of those, the ones that sent their job to the dead-letter queue then (a later',
    '                 dlq retry does not take them back: dlq groups shows what is in the queue now)',
    '  RETRIED        the others: after them the job was to try again (an operator may have cancelled it since)',
    '`jobs --class C --service S` lists a group\'s jobs; `dlq retry --fingerprint FP` sends its dead letters back.',
  ].join('\n'),
  options: {
    since: { type: 'string', value: 'AGE', description: 'failures of the last AGE (default 1h; 15m, up to 24h)' },
    service: { type: 'string', value: 'NAME', description: 'one service' },
    ...WIDE_OPTION,
  },
  async run(inv) {
    positionals(inv, []);
    const since_minutes = windowMinutes(inv.values, 'since', '1h', FAILURE_WINDOW_MAX_MINUTES);
    const service = str(inv.values, 'service');
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const result = await call(ctx, 'failures.recent', { since_minutes, ...(service === undefined ? {} : { service }) });
      if (inv.common.json) {
        printJson(inv.io, result);
        return 0;
      }
      if (result.groups.length === 0) {
        inv.io.out(`no failed attempts since ${when(result.since)}`);
        for (const hint of await noMatchHints(ctx, { service })) inv.io.err(`opsdeck: ${hint}`);
        return 0;
      }
      inv.io.out(
        renderTable(
          [
            { header: 'failures', align: 'right' },
            { header: 'dead-lettered', align: 'right' },
            { header: 'retried', align: 'right' },
            { header: 'service', max: 30 },
            { header: 'class' },
            { header: 'fingerprint', max: 40 },
            { header: 'first seen' },
            { header: 'last seen' },
            { header: 'sample error', max: 80, cut: 'middle' },
          ],
          result.groups.map((g) => [
            String(g.failures),
            String(g.dead_lettered),
            String(g.failures - g.dead_lettered),
            g.service_name,
            g.error_class,
            g.fingerprint,
            when(g.first_seen),
            when(g.last_seen),
            // None when pruning took the minute that held it: the group's counts still stand.
            g.sample_error === null ? '(sample pruned)' : timesIn(g.sample_error),
          ]),
          tableFit(inv),
        ),
      );
      const narrower = service === undefined ? '--service narrows them' : '--json gives them without the table\'s cut columns';
      const shown = result.truncated ? `the ${countText(result.groups.length)} largest groups shown (${narrower})` : `${countText(result.groups.length)} group(s)`;
      inv.io.out(`\n${countText(result.total)} failed attempt(s) since ${when(result.since)}, ${shown}; a group's jobs: opsdeck jobs --class CLASS --service SERVICE`);
      return 0;
    });
  },
};
