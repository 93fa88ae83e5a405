import type { ServiceConnectivity } from '../../../shared/connectivity.ts';
import { durationText } from '../../../shared/durationText.ts';
import { PROBE_TIMEOUT_CAP_S, probeTimeout } from '../../runners/connectivity.ts';
import { str, UsageError, type Values } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { paint, printJson, type Io } from '../output.ts';
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

function connectivityText(io: Io, result: ServiceConnectivity): string {
  const verdict = !result.ok ? paint(io, 'FAILING', 'red') : result.warning ? paint(io, 'WARNING', 'yellow') : paint(io, 'ok', 'green');
  const asked = `${result.method} ${result.url}${result.jobs_call === null ? '' : ` (${result.jobs_call})`}`;
  const title = `${result.service ?? 'url'}  ${asked}  ${verdict}  (timeout ${result.timeout_s}s: ${result.timeout_from})`;
  const table = renderTable(
    // The last column: cutting it would line nothing up, only hide what the step found.
    [{ header: 'step' }, { header: 'result' }, { header: 'time', align: 'right' }, { header: 'detail', max: 400 }],
    result.steps.map((s) => [s.step.toUpperCase(), !s.ok ? paint(io, 'FAILED', 'red') : s.warning ? paint(io, 'WARN', 'yellow') : paint(io, 'ok', 'green'), durationText(s.ms, '-'), s.detail]),
  );
  return `${title}\n${table}`;
}

/**
 * Testing an upstream reads no store, only the registry: an in-memory one stands in, so no store is made,
 * migrated or refused, whichever --db, OPSDECK_DB or DATABASE_URL says.
 */
const NO_STORE: Parameters<typeof withRuntime>[2] = { registry: 'optional', db: ':memory:', mustExist: false };

export const testConnectivity: Command = {
  name: 'test-connectivity',
  storeless: true,
  summary: "DNS, TCP, TLS and an HTTP request of each HTTP service (to the URL its jobs call: their GET, else a HEAD), timed; exit 1 when one fails",
  usage: '[SERVICE | --service NAME | --url URL]',
  details: [
    'Stops at the first layer that fails, so the answer says where the path breaks. The request carries no credential.',
    "It asks the URL the service's jobs call, with their GET, or a HEAD where they POST, PUT, PATCH or DELETE (the heading",
    "names their call then): testing never sends those, so it triggers nothing upstream. A server error fails (exit 1):",
    "its jobs fail on it, and resetting its breaker would send them into it; so does a 429 whose Retry-After is past",
    "max_retry_after. Another 429 (its Retry-After named), a refusal where they send no credential, or another answer",
    "their own GET fails on is a warning: the path is there, the service is not well.",
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
    return withRuntime(inv, async ({ ctx }) => {
      // Every HTTP service of no registry would be an empty answer that reads as "none to test".
      if (service === undefined && url === undefined && ctx.registry.loadedAt === null) throw new UsageError(`${NO_REGISTRY}; or test a URL with --url`);
      const { services } = await call(ctx, 'runners.connectivity', { service, url });
      if (inv.common.json) printJson(inv.io, { services });
      else if (services.length === 0) inv.io.out('no HTTP services in the registry (test a URL with --url)');
      else inv.io.out(services.map((s) => connectivityText(inv.io, s)).join('\n\n'));
      return services.every((s) => s.ok) ? 0 : 1;
    }, NO_STORE);
  },
};

export const validateToken: Command = {
  name: 'validate-token',
  storeless: true,
  summary: "whether an HTTP service's credential variables are set and the service accepts the credential; exit 1 when not",
  usage: 'SERVICE | --service NAME',
  details: 'GETs the service\'s own path when its jobs GET it, else its base_url, with the Authorization header its jobs\nwould send: 401 or 403 is a refusal. Anything else is an acceptance only if the same URL refuses a request without\nthe credential; a URL that answers both alike checks none, and the answer is "cannot tell" (exit 1).\nVariables are named, never printed.',
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
