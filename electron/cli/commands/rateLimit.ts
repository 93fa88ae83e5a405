import { formatPeriod, periodMs } from '../../../shared/rateLimit.ts';
import { budgetText, type RateLimitOverrides, type RateLimitTuned, type RateLimitView } from '../../../shared/rateLimitTuning.ts';
import { flag, int, listOnly, positionals, str, UsageError, type Values } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { NO_REGISTRY, sayNoRegistry } from '../noRegistry.ts';
import { type Io, paint, printJson, timesIn, when } from '../output.ts';
import { renderTable } from '../table.ts';

/** What is used of it now: `7/10 in the last 1m, 2/2 running`. */
function useText(v: RateLimitView): string {
  const parts: string[] = [];
  if (v.limit !== null && v.per_ms !== null) parts.push(`${v.used}/${v.limit} in the last ${formatPeriod(v.per_ms)}`);
  if (v.max_concurrent !== null) parts.push(`${v.running}/${v.max_concurrent} running`);
  if (v.paused_until !== null) parts.push(`paused until ${when(v.paused_until)}`);
  return parts.join(', ');
}

function rateTable(io: Io, views: RateLimitView[]): string {
  return renderTable(
    [{ header: 'service' }, { header: 'in force' }, { header: 'registry' }, { header: 'in use', max: 80 }, { header: 'tuned by' }, { header: 'why tuned', max: 60 },
      { header: 'jobs wait', max: 80 }],
    views.map((v) => [
      v.service_name,
      v.tuning ? paint(io, budgetText(v), 'yellow') : budgetText(v),
      budgetText(v.registry),
      useText(v),
      v.tuning ? `${v.tuning.set_by} ${when(v.tuning.set_at)}` : '',
      v.tuning?.reason ?? '',
      timesIn(v.waiting_reason ?? ''),
    ]),
  );
}

function tuning(values: Values): { settings: RateLimitOverrides; scale: number | undefined } {
  const settings: RateLimitOverrides = {};
  const limit = int(values, 'limit', 1, 100_000);
  if (limit !== undefined) settings.limit = limit;
  const per = str(values, 'per')?.trim();
  if (per !== undefined) {
    const ms = /^\d+(\.\d+)?(ms|s|m|h)$/.test(per) ? periodMs(per) : Number.NaN;
    if (!(ms >= 100 && ms <= 86_400_000)) throw new UsageError(`--per takes a period from 100ms to 24h, such as 1s, 500ms, 1m or 1h, not "${per}"`);
    settings.per = per;
  }
  const maxConcurrent = int(values, 'max-concurrent', 1, 10_000);
  if (maxConcurrent !== undefined) settings.max_concurrent = maxConcurrent;
  const scaleText = str(values, 'scale');
  let scale: number | undefined;
  if (scaleText !== undefined) {
    scale = Number(scaleText);
    if (scaleText.trim() === '' || !Number.isFinite(scale) || scale <= 0 || scale > 100) {
      throw new UsageError(`--scale takes a factor above 0 and at most 100 (0.5 halves the limits), not "${scaleText}"`);
    }
  }
  return { settings, scale };
}

/** What one tuning did, in a line; `registryKnown` false when no registry is loaded to say the budget it went back to. */
function tunedLine(view: RateLimitTuned, registryKnown: boolean): string {
  const service = view.service_name;
  if (!view.tuning && !registryKnown) {
    return `rate limit ${service}: ${view.changed ? "tuning forgotten, back to the registry's budget" : 'not tuned'}; a registry is needed to know that budget: ${NO_REGISTRY}`;
  }
  if (!view.tuning) return view.changed ? `rate limit ${service}: back to the registry's (${budgetText(view.registry)})` : `rate limit ${service}: not tuned, already the registry's (${budgetText(view.registry)})`;
  const inForce = `${budgetText(view)} (registry: ${budgetText(view.registry)})`;
  return view.changed ? `rate limit ${service} set for every worker: ${inForce}` : `rate limit ${service}: already ${inForce}; nothing changed`;
}

async function tune(inv: Invocation): Promise<number> {
  const [, named] = positionals(inv, ['tune', 'SERVICE']);
  // The runbooks reduce the budgets of several workers at once: SERVICE may be a comma-separated list.
  const services = (named ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (services.length === 0) throw new UsageError('missing SERVICE');
  const { settings, scale } = tuning(inv.values);
  const defaults = flag(inv.values, 'defaults');
  if (defaults === (Object.keys(settings).length > 0 || scale !== undefined)) {
    throw new UsageError(defaults ? '--defaults forgets the tuning: give it alone' : 'say what to set (--limit N --per 1m, --max-concurrent N, --scale 0.5) or --defaults');
  }
  return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
    const tuned: RateLimitTuned[] = [];
    let failed = 0;
    for (const service of services) {
      try {
        const view = await call(ctx, 'rateLimits.tune', { service, ...settings, ...(scale === undefined ? {} : { scale }), defaults, reason: str(inv.values, 'reason') });
        tuned.push(view);
        if (!inv.common.json) inv.io.out(tunedLine(view, ctx.registry.loadedAt !== null));
      } catch (error) {
        // One refused service does not stop the others: each is its own audited change.
        if (!(error instanceof CliFailure) || services.length === 1) throw error;
        failed++;
        inv.io.err(`opsdeck: ${service}: ${error.message}`);
      }
    }
    if (inv.common.json) printJson(inv.io, services.length === 1 ? tuned[0] : { services: tuned });
    return failed > 0 ? 1 : 0;
  });
}

export const rateLimit: Command = {
  name: 'rate-limit',
  summary: "services' rate limits and max_concurrent: in force and in use, set at run time (the runbooks' worker budgets)",
  usage: 'list | tune SERVICE[,SERVICE…] --limit N --per 1m | --max-concurrent N | --scale 0.5 | --defaults',
  details: [
    'list   every gated service: the budget in force, the registry\'s, what is used of it now, who tuned it',
    'tune   change the budget now, for every worker, without editing the registry: jobs over it wait, they do not fail',
    '       --scale 0.5 halves the limits in force ("reduce the budgets temporarily"); --defaults goes back to the registry\'s',
  ].join('\n'),
  options: {
    limit: { type: 'string', value: 'N', description: 'tune: starts allowed per period, fleet-wide' },
    per: { type: 'string', value: 'PERIOD', description: 'tune: the period, e.g. 1s, 500ms, 1m, 1h' },
    'max-concurrent': { type: 'string', value: 'N', description: 'tune: jobs of the service running at once, fleet-wide' },
    scale: { type: 'string', value: 'F', description: 'tune: multiply the limits in force by F (0.5 halves them)' },
    defaults: { type: 'boolean', description: "tune: forget the tuning, back to the registry's budget" },
    reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' },
  },
  async run(inv) {
    const action = inv.positionals[0] ?? 'list';
    if (action === 'tune') return tune(inv);
    if (action !== 'list') throw new UsageError(`rate-limit takes list or tune, not "${action}"`);
    listOnly(inv);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const { services } = await call(ctx, 'rateLimits.list', {});
      const unknown = sayNoRegistry(ctx.registry, inv.io, 'the rate limits and max_concurrent are the registry\'s: only run-time tunings and upstream pauses kept in the store can be shown');
      if (inv.common.json) printJson(inv.io, { services });
      else if (services.length > 0) inv.io.out(rateTable(inv.io, services));
      else if (!unknown) inv.io.out('no service has a rate limit or max_concurrent (the registry sets them; rate-limit tune sets one now)');
      return 0;
    });
  },
};
