import { countOf, countText } from '../../../shared/countText.ts';
import type { BulkResult, DlqRetryResult } from '../../../shared/contract.ts';
import { bulkText } from '../../../shared/bulkText.ts';
import { unservedClause } from '../../../shared/unservedText.ts';
import type { DlqSelector } from '../../../shared/domain.ts';
import { flag, ids, int, pastTime, str, UsageError, type OptionSpec, type ParsedArgs, type Values } from '../args.ts';
import { heldByTexts } from '../../../shared/heldText.ts';
import { bulkSelectorProblem } from '../../../shared/dlqSelection.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { printJson, timesIn, when } from '../output.ts';
import { renderTable } from '../table.ts';
import { errorClass, jobId, jobsTable } from './jobs.ts';
import { openClassesText } from '../deadLetterClasses.ts';
import { tableFit, WIDE_OPTION } from '../tableFit.ts';
import { noMatchHints } from '../noMatchHints.ts';
import type { ApiContext } from '../../api/context.ts';
import { CLI_RESET } from '../../../shared/breakerRecord.ts';

/** `named`: the jobs written after the subcommand (`dlq retry 6 7`), the runbooks' one item by its id; with --ids too. */
function selector(args: ParsedArgs, named: number[] = []): DlqSelector {
  const { values } = args;
  const s: DlqSelector = {};
  const jobIds = [...(ids(values, 'ids') ?? []), ...named];
  if (jobIds.length > 0) s.job_ids = [...new Set(jobIds)];
  for (const key of ['fingerprint', 'search', 'service'] as const) {
    const value = str(values, key);
    if (value !== undefined) s[key] = value;
  }
  const failedOf = errorClass(values);
  if (failedOf !== undefined) s.error_class = failedOf;
  return s;
}

/** A bulk change to every dead letter needs saying so: an empty selector is easy to type by mistake. */
function bulkSelector(args: ParsedArgs, verb: string, named: number[]): DlqSelector {
  const s: DlqSelector = flag(args.values, 'all') ? { ...selector(args, named), all: true } : selector(args, named);
  if (bulkSelectorProblem(s, verb) !== null) {
    if (s.all) throw new UsageError(`--all selects every open dead letter: leave out --fingerprint, --search, --service, --class, --ids and job ids, or drop --all`);
    throw new UsageError(`say which dead letters to ${verb}: job ids (opsdeck dlq ${verb} 12 13), --fingerprint, --search (not empty), --service, --class or --ids, or --all for every one`);
  }
  return s;
}

/**
 * Why a selector matched nothing, on stderr: a service or class nothing here names (a typo), as `jobs`
 * says it; for a search or a class, which classes the open dead letters are of.
 */
async function printNoMatchHints(inv: Invocation, ctx: ApiContext, selector: DlqSelector): Promise<void> {
  for (const hint of await noMatchHints(ctx, { service: selector.service, errorClass: selector.error_class })) inv.io.err(`opsdeck: ${hint}`);
  const classes = await openClassesText(ctx, selector);
  if (classes !== null) inv.io.err(`opsdeck: ${classes}`);
}

/** What a bulk action says it did, or would do: a dry run that matched none has nothing to run again for. */
function doneText(result: BulkResult, verb: string, past: string): string {
  const done = bulkText(result, verb, past);
  if (!result.dry_run) return done;
  return result.matched === 0 ? `${done}: none matches` : `${done}; run again without --dry-run to do it`;
}

/**
 * Exit 1 when something the operator named was not acted on: a selector that matched no open dead letter
 * (a typo, or a job already dealt with, must not read as done), or a job named among others that is no
 * open dead letter, as `retry ID` of that job alone would; purge's sweep by age finding nothing is exit 0.
 */
async function bulkOutput(inv: Invocation, ctx: ApiContext, result: BulkResult, verb: string, past: string, selector: DlqSelector | null = null, retried: RetriedLines = {}): Promise<number> {
  if (inv.common.json) printJson(inv.io, result);
  else {
    inv.io.out(doneText(result, verb, past));
    if (retried.jobs !== undefined) inv.io.out(retried.jobs);
    // Retried jobs a breaker holds wait pending: "retried 8" alone reads as if they were running again.
    for (const line of heldByTexts(result, result.matched, CLI_RESET)) inv.io.out(line);
    if (retried.unserved !== undefined) inv.io.out(retried.unserved);
    if (retried.unchecked !== undefined) inv.io.out(retried.unchecked);
  }
  const unmatched = result.unmatched_ids ?? [];
  if (unmatched.length > 0) inv.io.err(`opsdeck: not open dead letters, left as they are: ${unmatched.join(', ')}`);
  const named = selector === null ? null : matchedNothing(selector, result);
  if (named === null) return unmatched.length > 0 ? 1 : 0;
  inv.io.err(`opsdeck: no open dead letter matches ${named}; nothing ${result.dry_run ? `would be ${past}` : past}`);
  if (selector !== null) await printNoMatchHints(inv, ctx, selector);
  return 1;
}

/** Job ids a retry's line lists: a line, not a screenful (--json has the first 100, as the audit log does). */
const IDS_SHOWN = 20;

/** What a retry says beside its count: the jobs it sent back (under the count), those no live worker runs, and what could not be checked once it was done (last). */
interface RetriedLines {
  jobs?: string;
  unserved?: string;
  unchecked?: string;
}

/** The jobs are listed when the selector did not name them; those no live worker runs wait for one, said so. */
function retriedLines(result: DlqRetryResult, selector: DlqSelector): RetriedLines {
  const lines: RetriedLines = {};
  const byIds = selector.job_ids !== undefined && Object.entries(selector).every(([key, value]) => key === 'job_ids' || value === undefined);
  if (result.job_ids.length > 0 && !byIds) {
    const total = result.job_ids.length + (result.job_ids_more ?? 0);
    const shown = result.job_ids.slice(0, IDS_SHOWN);
    lines.jobs = `${total === 1 ? 'job' : 'jobs'} ${shown.join(', ')}${total > shown.length ? ` and ${countText(total - shown.length)} more` : ''}`;
  }
  if (result.unserved !== undefined) lines.unserved = unservedClause(result.unserved);
  if (result.unchecked !== undefined) lines.unchecked = result.unchecked;
  return lines;
}

/**
 * What a selector named that matched no open dead letter (a mistyped fingerprint reads as "retried 0"
 * otherwise); null when it matched some, or asked for every one. Named jobs are said too: an open dead
 * letter named beside a search that leaves it out is why nothing matched.
 */
function matchedNothing(s: DlqSelector, result: BulkResult): string | null {
  if (result.matched > 0 || s.all) return null;
  const ids = s.job_ids ?? [];
  const named = [
    ...(ids.length > 0 ? [`${ids.length === 1 ? 'job' : 'jobs'} ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}`] : []),
    ...(s.fingerprint ? [`--fingerprint ${s.fingerprint} (opsdeck dlq groups lists them)`] : []),
    ...(s.search ? [`--search ${JSON.stringify(s.search)}`] : []),
    ...(s.service ? [`--service ${s.service}`] : []),
    ...(s.error_class ? [`--class ${s.error_class}`] : []),
  ];
  return named.length > 0 ? named.join(' with ') : null;
}

const SUBCOMMANDS = ['groups', 'list', 'retry', 'resolve', 'purge'];

const OPTIONS: OptionSpec = {
  fingerprint: { type: 'string', value: 'FP', description: 'one error group' },
  search: { type: 'string', value: 'TEXT', description: 'error message contains TEXT (plain text)' },
  service: { type: 'string', value: 'NAME', description: 'one service' },
  class: { type: 'string', value: 'C', description: 'failed for good of this class, the one groups shows (connection, timeout, http_5xx, …); not an earlier attempt\'s, as jobs --class takes' },
  ids: { type: 'string', value: '1,2,3', description: 'these jobs' },
  all: { type: 'boolean', description: 'every open dead letter (retry, resolve)' },
  note: { type: 'string', value: 'TEXT', description: 'resolve: why they are resolved' },
  before: { type: 'string', value: 'ISO|30d', description: 'purge: resolved before this time, or more than this long ago (30d)' },
  'dry-run': { type: 'boolean', description: 'count what would change, change nothing' },
  limit: { type: 'string', value: 'N', description: 'list: at most N (default 50)' },
  after: { type: 'string', value: 'CURSOR', description: 'list: the next page' },
  ...WIDE_OPTION,
};

/** The options that pick dead letters: list, retry and resolve apply them; groups only some; purge none. */
const SELECTING = ['fingerprint', 'search', 'service', 'class', 'ids'];

/** The options each subcommand applies. Any other is refused: passed over, `purge --class timeout` deleted every class. */
const APPLIES: Record<string, readonly string[]> = {
  groups: ['search', 'service', 'wide'],
  list: [...SELECTING, 'limit', 'after', 'wide'],
  retry: [...SELECTING, 'all', 'dry-run'],
  resolve: [...SELECTING, 'all', 'note', 'dry-run'],
  purge: ['before', 'dry-run'],
};

/** The first of dlq's options given that `sub` does not apply, refused in words for what the operator meant by it. */
function notApplied(sub: string, values: Values): UsageError | null {
  const applies = APPLIES[sub] ?? [];
  const option = Object.keys(OPTIONS).find((name) => values[name] !== undefined && !applies.includes(name));
  if (option === undefined) return null;
  const takes = `dlq ${sub} takes ${applies.map((name) => `--${name}`).join(', ')}`;
  if (sub === 'purge' && SELECTING.includes(option)) {
    return new UsageError(`dlq purge takes no --${option}: it deletes every dead letter resolved before --before, whatever its class, service, group or error (${takes})`);
  }
  if (sub === 'groups' && SELECTING.includes(option)) {
    return new UsageError(`dlq groups takes no --${option}: opsdeck dlq list --${option} … lists the dead letters it picks (${takes})`);
  }
  return new UsageError(`dlq ${sub} takes no --${option} (${takes})`);
}

/** The subcommands that act on or list chosen dead letters, so take jobs by id or identifier after them. */
const NAMING_JOBS = ['list', 'retry', 'resolve'];

export const dlq: Command = {
  name: 'dlq',
  summary: 'dead-letter triage: groups, list, retry, resolve, purge',
  usage: 'groups|list|retry|resolve|purge [ID|IDENTIFIER …] [selector] [--note TEXT] [--before ISO|30d] [--dry-run] [--wide]',
  details: [
    'subcommands:',
    '  groups   dead letters grouped by error fingerprint, each with the class it failed of (--search, --service)',
    '  list     the dead letters a selector matches (--limit, --after); dlq alone lists them too',
    '  retry    send them back to pending; a service whose circuit breaker holds them is named',
    '  resolve  mark them resolved with --note (not needed with --dry-run); they leave the open list',
    '  purge    delete every dead letter resolved before --before, of any class, service or group',
    'selector: --fingerprint FP, --search TEXT, --service NAME, --class C, --ids 1,2,3 (all must match); --all for every one.',
    'list, retry and resolve take a selector, groups only --search and --service, purge none: an option a subcommand',
    'does not apply is refused (exit 2), never passed over.',
    'list, retry and resolve also take jobs by id or identifier: opsdeck dlq retry 12, opsdeck dlq resolve 12 13 --note TEXT.',
    'Every bulk change runs in one transaction and is written to the audit log; --dry-run only counts.',
    'retry and resolve exit 1 when a job named or a selector matched no open dead letter (said on stderr); --all',
    'and purge finding none exit 0.',
  ].join('\n'),
  options: OPTIONS,
  async run(inv) {
    // Alone it lists, as breaker, workflow and schedule do.
    const [sub = 'list', ...extra] = inv.positionals;
    const every = /^(retry|resolve)[-_]all$/.exec(sub)?.[1];
    if (every !== undefined) {
      const does = every === 'resolve' ? 'resolve --all --note TEXT resolves' : 'retry --all retries';
      throw new UsageError(`dlq has no ${sub}: opsdeck dlq ${does} every open dead letter (--dry-run counts them first)`);
    }
    if (!SUBCOMMANDS.includes(sub)) throw new UsageError(`dlq takes one of ${SUBCOMMANDS.join(', ')}, not "${sub}"`);
    if (extra.length > 0 && !NAMING_JOBS.includes(sub)) throw new UsageError(`unexpected argument "${extra[0]}": dlq ${sub} takes no job ids`);
    const { values } = inv;
    const refused = notApplied(sub, values);
    if (refused !== null) throw refused;
    const dryRun = flag(values, 'dry-run');
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const named: number[] = [];
      for (const ref of extra) named.push(await jobId(ctx, ref));
      switch (sub) {
        case 'groups': {
          const filter = { search: str(values, 'search'), service: str(values, 'service') };
          const result = await call(ctx, 'dlq.groups', filter);
          if (inv.common.json) printJson(inv.io, result);
          else if (result.groups.length === 0 && filter.search === undefined && filter.service === undefined) inv.io.out('no dead letters');
          else if (result.groups.length === 0) {
            // "none match", not "none": the open ones the filter left out are counted.
            const open = (await call(ctx, 'dlq.groups', {})).total;
            inv.io.out(`no dead letters match${open > 0 ? ` (${open} open: opsdeck dlq groups lists them)` : ''}`);
            await printNoMatchHints(inv, ctx, filter);
          }
          else {
            inv.io.out(
              renderTable(
                [{ header: 'fingerprint' }, { header: 'count', align: 'right' }, { header: 'class' }, { header: 'services', max: 30 }, { header: 'first seen' }, { header: 'last seen' }, { header: 'sample error', max: 80, cut: 'middle' }],
                result.groups.map((g) => [g.fingerprint, String(g.count), g.error_class ?? '', g.services.join(','), when(g.first_seen), when(g.last_seen), timesIn(g.sample_error)]),
                tableFit(inv),
              ),
            );
            const groups = result.truncated ? `the ${countText(result.groups.length)} largest groups shown (--search or --service narrows them)` : countOf(result.groups.length, 'group');
            inv.io.out(`\n${countOf(result.total, 'dead letter')}, ${groups}; retry a group with: opsdeck dlq retry --fingerprint FP`);
          }
          return 0;
        }
        case 'list': {
          const chosen = selector(inv, named);
          const page = await call(ctx, 'dlq.list', { selector: chosen, limit: int(values, 'limit', 1, 500) ?? 50, after: str(values, 'after') ?? null });
          if (inv.common.json) printJson(inv.io, page);
          else {
            inv.io.out(page.jobs.length === 0 ? 'no dead letters match' : jobsTable(inv.io, page.jobs, tableFit(inv), 'failed'));
            if (page.jobs.length === 0) await printNoMatchHints(inv, ctx, chosen);
            if (page.next_cursor) inv.io.out(`\nmore: --after ${page.next_cursor}`);
          }
          return 0;
        }
        case 'retry': {
          const chosen = bulkSelector(inv, 'retry', named);
          const result = await call(ctx, 'dlq.retry', { selector: chosen, dry_run: dryRun });
          return bulkOutput(inv, ctx, result, 'retry', 'retried', chosen, retriedLines(result, chosen));
        }
        case 'resolve': {
          const note = str(values, 'note');
          // A dry run only counts: it keeps no note, so it asks for none.
          if (!dryRun && !note?.trim()) throw new UsageError('resolve needs --note TEXT saying why');
          const chosen = bulkSelector(inv, 'resolve', named);
          return bulkOutput(inv, ctx, await call(ctx, 'dlq.resolve', { selector: chosen, note, dry_run: dryRun }), 'resolve', 'resolved', chosen);
        }
        default: {
          const before = pastTime(values, 'before');
          if (!before) throw new UsageError('purge needs --before ISO|30d: resolved dead letters resolved before it are deleted');
          return bulkOutput(inv, ctx, await call(ctx, 'dlq.purge', { before, dry_run: dryRun }), 'purge', 'purged');
        }
      }
    });
  },
};
