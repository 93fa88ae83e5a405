import type { ServiceConnectivity } from '../../../shared/connectivity.ts';
import { durationText } from '../../../shared/durationText.ts';
import { evidenceLines } from '../../../shared/serviceEvidence.ts';
import type { Runtime } from '../../api/runtime.ts';
import { PROBE_TIMEOUT_CAP_S, probeTimeout } from '../../runners/connectivity.ts';
import { StoreError } from '../../store/errors.ts';
import { str, UsageError, type Values } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { paint, printJson, timesIn, type Io } from '../output.ts';
import { renderTable } from '../table.ts';

/** The service named either way the runbooks write it: `validate-token stripe` or `validate-token --service stripe`. */
function serviceArg(inv: Invocation, values: Values, required: boolean): string | undefined {
  if (inv.positionals.length > 1) throw new UsageError(`unexpected argument "${inv.positionals[1]}"`);
  const positional = inv.positionals[0];
  const option = str(values, 'service');
  if (positional !== undefined && option !== undefined && positional !== option) throw new UsageError(`two services named: "${positional}" and --service "${option}"`);
  const service = positional ?? option;
  if (required && service === undefined) throw new UsageError('missing SERVICE (an HTTP service of the registry)');
  return service;
}

/** A check that cannot tell is no pass: the heading and the exit status say so apart from a failure. */
function serviceVerdict(io: Io, result: ServiceConnectivity): string {
  if (!result.ok) return paint(io, 'FAILING', 'red');
  if (result.inconclusive) return paint(io, 'INCONCLUSIVE', 'yellow');
  return result.warning ? paint(io, 'WARNING', 'yellow') : paint(io, 'ok', 'green');
}

function stepResult(io: Io, step: ServiceConnectivity['steps'][number]): string {
  if (!step.ok) return paint(io, 'FAILED', 'red');
  if (step.inconclusive === true) return paint(io, 'INCONCLUSIVE', 'yellow');
  return step.warning === true ? paint(io, 'WARN', 'yellow') : paint(io, 'ok', 'green');
}

function connectivityText(io: Io, result: ServiceConnectivity): string {
  const verdict = serviceVerdict(io, result);
  const asked = `${result.method} ${result.url}${result.jobs_call === null ? '' : ` (${result.jobs_call})`}`;
  const title = `${result.service ?? 'url'}  ${asked}  ${verdict}  (timeout ${result.timeout_s}s: ${result.timeout_from})`;
  const table = renderTable(
    // The last column: cutting it would line nothing up, only hide what the step found.
    [{ header: 'step' }, { header: 'result' }, { header: 'time', align: 'right' }, { header: 'detail', max: 400 }],
    result.steps.map((s) => [s.step.toUpperCase(), stepResult(io, s), durationText(s.ms, '-'), s.detail]),
  );
  if (result.evidence === null) return `${title}\n${table}`;
  // Indented below the steps: what the store says of the jobs, not a layer of the path.
  const [first = '', ...rest] = evidenceLines(result.evidence).map(timesIn);
  return `${title}\n${table}\nevidence: ${first}${rest.map((line) => `\n  ${line}`).join('')}`;
}

/**
 * Testing an upstream needs no store, only the registry: an in-memory one stands in where there is none to
 * read (and for a --url, which reads none), so no store is made, migrated or refused.
 */
const NO_STORE: Parameters<typeof withRuntime>[2] = { registry: 'optional', db: ':memory:', mustExist: false };

/**
 * Runs `fn` on the store --db or OPSDECK_DB names, else on the per-user default store, when it is there, for
 * the evidence of services whose jobs' call a check does not send; where it cannot be opened the check still
 * runs, on a stand-in that says why and which store was looked for. A store that is not there is not to be
 * made for a check: the hint of how one is made is left out.
 */
async function onStoreIfThere<T>(inv: Invocation, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  let opened = false;
  try {
    return await withRuntime(inv, (rt) => {
      opened = true;
      return fn(rt);
    }, { registry: 'optional' });
  } catch (error) {
    if (opened || !(error instanceof StoreError)) throw error;
    return withRuntime(inv, (rt) => {
      const why = error.code === 'no_store' || error.code === 'no_database' ? error.problem : error.message;
      rt.ctx.storeStandIn = `no store was read (${why}); ${storeSource(inv)}`;
      return fn(rt);
    }, NO_STORE);
  }
}

/** Which store a command looked for, and why that one: without --db or OPSDECK_DB it is the per-user default, perhaps not the workers'. */
function storeSource(inv: Invocation): string {
  if (inv.common.db !== undefined) return 'the store --db names';
  if (inv.io.env.OPSDECK_DB?.trim()) return 'the store OPSDECK_DB names';
  return `neither --db nor OPSDECK_DB names a store, so the per-user default was looked for: name the workers' store to read theirs`;
}

export const testConnectivity: Command = {
  name: 'test-connectivity',
  summary: "DNS, TCP, TLS and an HTTP GET of each HTTP service (of the URL its jobs GET, else of its base_url), timed; exit 1 when one fails or cannot tell",
  usage: '[SERVICE | --service NAME | --url URL]',
  details: [
    'Stops at the first layer that fails, so the answer says where the path breaks. The GET carries no credential and',
    "names itself (User-Agent opsdeck-probe/VERSION). It asks the URL the service's jobs call when they GET it; where",
    'they POST, PUT, PATCH or DELETE it asks the base_url instead, without its query, never their URL (a handler may',
    'ignore the method and do its work): where the base_url is their URL, no request is sent (INCONCLUSIVE). The',
    'heading names their call it did not try. A server error fails (exit 1): its jobs fail on it,',
    'and resetting its breaker would send them into it; so does a 429 or 503 whose Retry-After is past max_retry_after',
    '(the jobs fail as rate_limited, not retried). Another 429 (its Retry-After named), a refusal where they send no',
    'credential, another answer their own GET fails on, or a path the runner refuses is a warning: the path is there,',
    "the service is not well. Any answer but a failure of a base_url asked in place of the jobs' call is INCONCLUSIVE",
    '(exit 1, as for anything that cannot be told; a warning too): it says nothing of whether they succeed, so the',
    'evidence follows the steps:',
    "the service's breaker and its jobs' failures of the last hour, from the store --db or OPSDECK_DB names (else the",
    'per-user default), which the evidence names; never made or migrated here; without one the path is still tested.',
    `Each step waits the service's own timeout (at most ${PROBE_TIMEOUT_CAP_S}s; ${probeTimeout(null).seconds}s for a --url), so an upstream that hangs fails here as its jobs do.`,
  ].join('\n'),
  options: {
    service: { type: 'string', value: 'NAME', description: 'only this HTTP service of the registry' },
    url: { type: 'string', value: 'URL', description: 'an http(s) URL instead of a service' },
  },
  async run(inv) {
    const service = serviceArg(inv, inv.values, false);
    const url = str(inv.values, 'url');
    if (service !== undefined && url !== undefined) throw new UsageError('name a service or --url, not both');
    const test = async ({ ctx }: Runtime) => {
      // Every HTTP service of no registry would be an empty answer that reads as "none to test".
      if (service === undefined && url === undefined && ctx.registry.loadedAt === null) throw new UsageError(`${NO_REGISTRY}; or test a URL with --url`);
      const { services } = await call(ctx, 'runners.connectivity', { service, url });
      if (inv.common.json) printJson(inv.io, { services });
      else if (services.length === 0) inv.io.out('no HTTP services in the registry (test a URL with --url)');
      else inv.io.out(services.map((s) => connectivityText(inv.io, s)).join('\n\n'));
      return services.every((s) => s.ok && !s.inconclusive) ? 0 : 1;
    };
    return url === undefined ? onStoreIfThere(inv, test) : withRuntime(inv, test, NO_STORE);
  },
};

export const validateToken: Command = {
  name: 'validate-token',
  storeless: true,
  summary: "whether an HTTP service's credential variables are set and the service accepts the credential; exit 1 when not",
  usage: 'SERVICE | --service NAME',
  details: 'GETs the service\'s own path when its jobs GET it, else its base_url (without its query; nothing where it is\nthe URL their POST calls), with the Authorization header its jobs would send: 401 or 403 is a refusal. Anything else is an acceptance only if the same URL refuses a request without\nthe credential; a URL that answers both alike checks none, and the answer is "cannot tell" (exit 1).\nVariables are named, never printed.',
  options: { service: { type: 'string', value: 'NAME', description: 'the HTTP service whose credential to check' } },
  async run(inv) {
    const service = serviceArg(inv, inv.values, true) ?? '';
    return withRuntime(inv, async ({ ctx }) => {
      const check = await call(ctx, 'runners.validateToken', { service });
      if (inv.common.json) printJson(inv.io, check);
      else {
        // Untested, the detail names what this process lacks: the list would say it twice.
        const variables = check.variables.map((v) => `${v.name} ${v.set ? 'set' : paint(inv.io, 'NOT SET', 'red')}`).join(', ');
        if (variables !== '' && check.tested) inv.io.out(`variables: ${variables}`);
        // The console shows the verdict beside the detail; here it leads the line.
        const verdict = check.tested && check.accepted === null ? 'cannot tell: ' : '';
        inv.io.out(check.accepted === false ? paint(inv.io, check.detail, 'red') : `${verdict}${check.detail}`);
      }
      return check.accepted === true || check.auth_type === 'none' ? 0 : 1;
    }, NO_STORE);
  },
};
