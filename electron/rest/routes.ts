import { z } from 'zod';
import { BreakerTuneInput, calls, EnqueueInput, FAILURE_WINDOW_MAX_MINUTES, RateLimitTuneInput, type CallName } from '../../shared/contract.ts';
import { ExecutionType, JobStatus } from '../../shared/domain.ts';
import { ProbeUrl } from '../../shared/connectivity.ts';
import { ERROR_CLASSES_TEXT, ErrorClass, isKnownErrorClass, unknownErrorClass } from '../../shared/errorClass.ts';
import { unknownStatusText } from '../../shared/statusWords.ts';
import { WorkflowRunStatus } from '../../shared/workflow.ts';
import { count, csv, duration, flag, pastTime } from './query.ts';
import type { ApiContext } from '../api/context.ts';
import { unknownFilterNames } from '../api/filterNames.ts';
import { unknownWorkflow } from '../api/workflowNames.ts';
import { EXECUTIONS_NOTE_DOC, executionsNote } from './executionsNote.ts';
import { parseBody, parseQuery, RouteFailure, withPath, type Route, type RouteArgs } from './route.ts';

/**
 * REST API v1: each endpoint is a contract call (shared/contract.ts) reached through the same dispatch
 * as the console and the CLI. Answers are the calls' outputs as they are; paging is the console's
 * keyset cursor (`after` = the previous page's `next_cursor`).
 */

const reasonOnly = z.object({ reason: z.string().trim().max(500).optional() }).strict();

function get(path: string, call: CallName, input: (params: Record<string, string>) => unknown = () => ({})): Route {
  return { method: 'GET', path, call, write: false, operateOnly: null, summary: calls[call].doc, query: null, body: null, input: (args: RouteArgs) => input(args.params) };
}

/** A GET whose query string its schema reads. */
function search<Q extends z.ZodObject>(path: string, call: CallName, query: Q, input: (q: z.output<Q>) => unknown): Route {
  return { method: 'GET', path, call, write: false, operateOnly: null, summary: calls[call].doc, query, body: null, input: (args: RouteArgs) => input(parseQuery(query, args.query)) };
}

function post(path: string, call: CallName, body: z.ZodType | null, input: (args: RouteArgs) => unknown, summary = calls[call].doc): Route {
  return { method: 'POST', path, call, write: true, operateOnly: null, summary, query: null, body, input };
}

/** A list call's `limit` as a query parameter, within the bounds the call itself takes. */
function limitOf(call: 'jobs.list' | 'dlq.list' | 'audit.list' | 'schedules.fires' | 'workflows.runs' | 'alerts.history') {
  return count(calls[call].input.shape.limit.unwrap());
}

/**
 * A class opsdeck writes: any other finds nothing, and an empty list would read as "no such failures"
 * when the filter is the mistake (the CLI answers the same filter with a warning beside its empty list).
 */
const KnownErrorClass = ErrorClass.pipe(
  z.string().refine(isKnownErrorClass, { error: (issue) => `${unknownErrorClass(String(issue.input))}; the classes are ${ERROR_CLASSES_TEXT}` }),
);

const ExecutionsQuery = z
  .object({
    status: csv(JobStatus, unknownStatusText).optional(),
    service: z.string().max(200).optional(),
    queue: z.string().max(200).optional(),
    type: csv(ExecutionType).optional(),
    search: z.string().max(500).optional(),
    /** Jobs with an attempt that failed of this class: resource_limit, http_503, or a family such as http_5xx (rate_limited also picks http_429). */
    class: KnownErrorClass.optional(),
    /** Created at or after (before) this time, as opsdeck jobs --since takes it: `1h` is an hour ago. */
    created_after: pastTime.optional(),
    created_before: pastTime.optional(),
    stuck: flag.optional(),
    scheduled: flag.optional(),
    unresolved: flag.optional(),
    /** Running jobs whose attempt started longer ago than this (status defaults to running). */
    running_longer_than: duration.optional(),
    limit: limitOf('jobs.list').optional(),
    after: z.string().max(100).optional(),
  })
  .strict();

/**
 * An empty page for a queue or service nothing here knows is refused as `class=resource` is, with the name
 * likely meant: `queue=defualt` is a typo, not a queue without jobs. A known queue with no jobs is a plain
 * empty page.
 */
async function refuseUnknownNames(result: unknown, input: unknown, ctx: ApiContext): Promise<void> {
  const page = z.object({ jobs: z.array(z.unknown()) }).safeParse(result);
  const asked = calls['jobs.list'].input.safeParse(input);
  if (!page.success || page.data.jobs.length > 0 || !asked.success) return;
  const unknown = await unknownFilterNames(ctx, asked.data.filter);
  const first = unknown[0];
  if (!first) return;
  const issues = unknown.map((name) => ({ path: `query.${name.field}`, message: name.message }));
  throw new RouteFailure('invalid_input', `invalid query: query.${first.field}: ${first.message}${unknown.length > 1 ? ' (and 1 more)' : ''}`, issues);
}

/**
 * An empty list of runs for a workflow the registry does not name is refused, as an unknown queue is: a
 * typo, not a workflow that never ran. `list` is the key the call's answer keeps its rows under.
 */
function refuseUnknownWorkflow(list: 'runs' | 'workflows') {
  return async (result: unknown, input: unknown, ctx: ApiContext): Promise<void> => {
    const page = z.object({ [list]: z.array(z.unknown()) }).safeParse(result);
    const asked = z.object({ workflow: z.string().optional() }).safeParse(input);
    if (!page.success || !asked.success || (page.data[list]?.length ?? 0) > 0) return;
    const unknown = await unknownWorkflow(ctx, asked.data.workflow);
    if (unknown !== null) throw new RouteFailure('invalid_input', `invalid query: query.workflow: ${unknown}`, [{ path: 'query.workflow', message: unknown }]);
  };
}

const DlqQuery = z
  .object({
    fingerprint: z.string().max(200).optional(),
    search: z.string().max(500).optional(),
    service: z.string().max(200).optional(),
    /** Dead letters that failed for good of this class, the one /v1/dlq/groups names; /v1/executions?class= picks jobs by any attempt. */
    class: KnownErrorClass.optional(),
    limit: limitOf('dlq.list').optional(),
    after: z.string().max(100).optional(),
  })
  .strict();

const FailuresQuery = z
  .object({
    /** Failures of the last `since` (default 1h), up to 24h. */
    since: duration.pipe(z.number().int().min(60, 'at least 1m').max(FAILURE_WINDOW_MAX_MINUTES * 60, 'at most 24h')).optional(),
    service: z.string().min(1, 'a service name, not empty').max(200).optional(),
  })
  .strict();

const PerformanceQuery = z
  .object({
    /** Jobs finished in the last `since` (default 1h), as far back as the per-minute history is kept (30d by default). */
    since: duration.pipe(z.number().int().min(60, 'at least 1m')).optional(),
    type: ExecutionType.optional(),
    /** One service's jobs only, with its row per service beside the types'. */
    service: z.string().min(1, 'a service name, not empty').max(200).optional(),
    /** `service`: a row per service beside the types' (read from the per-minute rows); per type only by default. */
    by: z.enum(['type', 'service']).optional(),
  })
  .strict();

const GroupsQuery = z.object({ search: z.string().max(500).optional(), service: z.string().max(200).optional() }).strict();

const AuditQuery = z
  .object({ action: z.string().max(100).optional(), search: z.string().max(500).optional(), limit: limitOf('audit.list').optional(), after: z.string().max(100).optional() })
  .strict();

const FiresQuery = z.object({ limit: limitOf('schedules.fires').optional(), after: z.string().max(100).optional() }).strict();

const scheduleRoutes: Route[] = [
  get('/v1/schedules', 'schedules.list'),
  { ...post('/v1/schedules', 'schedules.add', calls['schedules.add'].input, ({ body }) => body), status: () => 201 },
  {
    ...post('/v1/schedules/check', 'schedules.check', calls['schedules.check'].input, ({ body }) => body,
      "Checks a cron expression and its time zone as POST /v1/schedules would, without adding a schedule: each problem at its field, or the next fires."),
    // Checks only the text it is sent: any key may ask.
    write: false,
  },
  get('/v1/schedules/{name}', 'schedules.get', (params) => ({ name: params.name })),
  {
    method: 'GET',
    path: '/v1/schedules/{name}/fires',
    call: 'schedules.fires',
    write: false,
    operateOnly: null,
    summary: calls['schedules.fires'].doc,
    query: FiresQuery,
    body: null,
    input: (args: RouteArgs) => {
      const q = parseQuery(FiresQuery, args.query);
      return { name: args.params.name, limit: q.limit, cursor: q.after };
    },
  },
  post('/v1/schedules/{name}/pause', 'schedules.pause', reasonOnly, ({ params, body }) => withPath(body, { name: params.name })),
  post('/v1/schedules/{name}/resume', 'schedules.resume', z.object({}).strict(), ({ params, body }) => withPath(body, { name: params.name })),
  post('/v1/schedules/{name}/run', 'schedules.runNow', z.object({}).strict(), ({ params, body }) => withPath(body, { name: params.name })),
  post('/v1/schedules/{name}/remove', 'schedules.remove', z.object({}).strict(), ({ params, body }) => withPath(body, { name: params.name })),
];

const WorkflowRunsQuery = z
  .object({ workflow: z.string().max(200).optional(), status: WorkflowRunStatus.optional(), limit: limitOf('workflows.runs').optional(), after: z.string().max(100).optional() })
  .strict();

const WorkflowStatsQuery = z
  .object({
    /** Runs started in the last `since` (default 24h), up to 30d. */
    since: duration.pipe(z.number().int().min(60, 'at least 1m')).optional(),
    workflow: z.string().min(1, 'a workflow name, not empty').max(200).optional(),
  })
  .strict();

/**
 * A job by the path's text, id or identifier alike: the call resolves it as `opsdeck job TEXT` does (digits
 * naming two jobs, one by its id and one by its identifier, are refused; `id:7` or `identifier:7` says which),
 * so every endpoint acts on the job GET /v1/executions/{id} shows.
 */
function jobRef(params: Record<string, string>): { id: string } {
  return { id: params.id ?? '' };
}

/** A run by its number or identifier, as the path gives it. */
function runParam(params: Record<string, string>): number | string {
  const run = params.run ?? '';
  return /^\d{1,15}$/.test(run) && Number(run) > 0 ? Number(run) : run;
}

const workflowRoutes: Route[] = [
  get('/v1/workflows', 'workflows.list'),
  {
    ...post('/v1/workflows/{name}/runs', 'workflows.run', calls['workflows.run'].input.omit({ workflow: true }), ({ params, body }) => withPath(body, { workflow: params.name })),
    status: (result) => (z.object({ created: z.boolean() }).safeParse(result).data?.created === false ? 200 : 201),
  },
  { ...search('/v1/workflow-runs', 'workflows.runs', WorkflowRunsQuery, (q) => q), check: refuseUnknownWorkflow('runs') },
  get('/v1/workflow-runs/stuck', 'workflows.stuck'),
  {
    ...search('/v1/workflow-runs/stats', 'workflows.stats', WorkflowStatsQuery, ({ since, workflow }) => ({ since_minutes: Math.ceil((since ?? 86_400) / 60), workflow })),
    check: refuseUnknownWorkflow('workflows'),
  },
  get('/v1/workflow-runs/{run}', 'workflows.show', (params) => ({ run: runParam(params) })),
  post('/v1/workflow-runs/{run}/retry', 'workflows.retry', z.object({}).strict(), ({ params, body }) => withPath(body, { run: runParam(params) })),
  post('/v1/workflow-runs/{run}/cancel', 'workflows.cancel', reasonOnly, ({ params, body }) => withPath(body, { run: runParam(params) })),
];
const AlertHistoryQuery = z.object({ limit: limitOf('alerts.history').optional(), after: z.string().max(100).optional() }).strict();

/**
 * The runbook's diagnostics. A read key is what a dashboard or a Prometheus scrape holds: it sees the jobs
 * and the fleet, and may check a registry text it sends (blind to this host) or the path to a service. What shows this host's
 * own configuration (where its store is and as whom, versions, the slowest statements, the registry file,
 * the log), sends a service's credential out, or reaches an address the caller names is for an operate key,
 * the key of someone trusted to act.
 */
const ValidateBody = z.object({ text: calls['registry.validate'].input.shape.text.unwrap() }).strict();
const UrlBody = z.object({ url: ProbeUrl }).strict();

/** Every HTTP service's path; a URL sent as `?url=` would be ignored and every service tested instead. */
function everyService({ query }: RouteArgs): Record<string, never> {
  if (query.url !== undefined) {
    throw new RouteFailure('invalid_input', 'a URL of your own is tested with POST /v1/runners/connectivity/check and {"url": "…"} in the body (an operate key)', [
      { path: 'query.url', message: 'not a parameter of this endpoint' },
    ]);
  }
  return {};
}

const supportRoutes: Route[] = [
  {
    ...get('/v1/support/diagnosis', 'support.diagnose'),
    operateOnly: "a diagnosis shows this host's configuration: where its store is and as whom, the versions, the slowest statements",
  },
  {
    // A POST, not a GET: each bundle is an audited act, though it changes nothing the state could refuse.
    ...post('/v1/support/bundle', 'support.bundle', z.object({}).strict(), ({ body }) => body),
    write: false,
    operateOnly: 'a bundle holds the registry file, recent failures with their payloads, the audit log and the end of the log',
  },
  {
    ...post('/v1/registry/validate', 'registry.validate', ValidateBody, ({ body }) => parseBody(ValidateBody, body),
      "Validates a registry's text (the YAML of a registry file) without loading it: each problem with its line and column."),
    // Checks only what the request sends: a file is never read on a caller's word. For a read key, blind to
    // this host (no program, folder or variable looked up: the answer names each one at its line); an operate key's, in full.
    write: false,
  },
  { ...get('/v1/runners/connectivity', 'runners.connectivity'), input: everyService },
  {
    ...post('/v1/runners/connectivity/check', 'runners.connectivity', UrlBody, ({ body }) => parseBody(UrlBody, body),
      "Tests an http(s) URL of your own as test-connectivity --url does: DNS, TCP, TLS and an HTTP GET, each timed, stopping at the first that fails; a malformed URL or another scheme is refused saying what is wrong."),
    write: false,
    operateOnly: "the check makes this host reach whatever address the URL names, inside this host's network too",
  },
  get('/v1/runners/connectivity/{service}', 'runners.connectivity', (params) => ({ service: params.service })),
  {
    ...get('/v1/runners/token/{service}', 'runners.validateToken', (params) => ({ service: params.service })),
    operateOnly: "the check sends the service's credential to it, as its jobs do",
  },
];

const MODES = { open: 'force_open', close: 'force_closed', auto: 'auto', reset: 'reset' } as const;

const breakerModeRoutes: Route[] = Object.entries(MODES).map(([verb, mode]) =>
  post(`/v1/breakers/{service}/${verb}`, 'breakers.setMode', reasonOnly, ({ params, body }) => withPath(body, { service: params.service, mode }),
    { open: 'Forces the breaker open: its jobs wait.', close: 'Forces the breaker closed: failures do not trip it.', auto: 'Returns the breaker to automatic.', reset: 'Resets the breaker: auto, closed, counters cleared.' }[verb]),
);

/** `breaker open|close|auto|reset --all`: each changes and audits only the breakers not already so, and lists them as changed. */
const breakerAllRoutes: Route[] = Object.entries(MODES).map(([verb, mode]) =>
  post(`/v1/breakers/${verb}-all`, 'breakers.setModeAll', reasonOnly, ({ body }) => withPath(body, { mode }),
    {
      open: 'Forces every breaker open that is not already: their jobs wait.',
      close: 'Forces every breaker closed that is not already: failures do not trip them.',
      auto: 'Returns every forced breaker to automatic.',
      reset: 'Resets every breaker: auto, closed, counters cleared (reset_all_circuit_breakers).',
    }[verb]),
);

export const ROUTES: Route[] = [
  { ...get('/v1/health', 'health.check'), status: (result) => (z.object({ ok: z.boolean() }).safeParse(result).data?.ok === false ? 503 : 200) },
  { ...get('/v1/health/{check}', 'health.check', (params) => ({ check: params.check })), status: (result) => (z.object({ ok: z.boolean() }).safeParse(result).data?.ok === false ? 503 : 200) },
  get('/v1/status', 'overview.stats'),
  {
    ...search('/v1/executions', 'jobs.list', ExecutionsQuery, (q) => {
      const { type, class: errorClass, running_longer_than: longer, limit, after, ...rest } = q;
      const started = longer === undefined ? undefined : new Date(Date.now() - longer * 1000).toISOString();
      const status = rest.status ?? (started === undefined ? undefined : (['running'] as const));
      return { filter: { ...rest, status, execution_type: type, error_class: errorClass, started_before: started }, limit, after };
    }),
    check: refuseUnknownNames,
    note: { doc: EXECUTIONS_NOTE_DOC, of: executionsNote },
  },
  get('/v1/executions/{id}', 'jobs.get', jobRef),
  get('/v1/executions/{id}/waiting', 'jobs.waiting', jobRef),
  {
    ...post('/v1/executions', 'jobs.enqueue', EnqueueInput, ({ body }) => body),
    status: (result) => (z.object({ created: z.boolean() }).safeParse(result).data?.created === false ? 200 : 201),
  },
  post('/v1/executions/{id}/retry', 'jobs.retry', z.object({}).strict(), ({ params, body }) => withPath(body, jobRef(params))),
  post('/v1/executions/{id}/cancel', 'jobs.cancel', calls['jobs.cancel'].input.omit({ id: true }), ({ params, body }) => withPath(body, jobRef(params))),
  post('/v1/executions/{id}/fail', 'jobs.fail', calls['jobs.fail'].input.omit({ id: true }), ({ params, body }) => withPath(body, jobRef(params))),
  search('/v1/dlq', 'dlq.list', DlqQuery, ({ limit, after, class: errorClass, ...selector }) => ({ selector: { ...selector, error_class: errorClass }, limit, after })),
  search('/v1/dlq/groups', 'dlq.groups', GroupsQuery, (q) => q),
  search('/v1/failures', 'failures.recent', FailuresQuery, ({ since, service }) => ({ since_minutes: Math.ceil((since ?? 3600) / 60), service })),
  search('/v1/performance', 'metrics.byType', PerformanceQuery, ({ since, type, service, by }) => ({ since_minutes: Math.ceil((since ?? 3600) / 60), type, service, by })),
  post('/v1/dlq/retry', 'dlq.retry', calls['dlq.retry'].input, ({ body }) => body),
  post('/v1/dlq/resolve', 'dlq.resolve', calls['dlq.resolve'].input, ({ body }) => body),
  get('/v1/breakers', 'breakers.list'),
  get('/v1/breakers/{service}', 'breakers.get', (params) => ({ service: params.service })),
  ...breakerAllRoutes,
  ...breakerModeRoutes,
  post('/v1/breakers/{service}/tune', 'breakers.tune', BreakerTuneInput.omit({ service: true }), ({ params, body }) => withPath(body, { service: params.service })),
  get('/v1/control', 'control.get'),
  post('/v1/control/emergency-stop', 'control.emergencyStop', reasonOnly, ({ body }) => body),
  post('/v1/control/resume', 'control.resume', z.object({}).strict(), ({ body }) => body),
  post('/v1/control/safe-mode', 'control.safeMode', calls['control.safeMode'].input, ({ body }) => body),
  post('/v1/control/queues/{queue}/pause', 'control.pauseQueue', reasonOnly.extend({ force: z.boolean().optional() }), ({ params, body }) => withPath(body, { queue: params.queue, paused: true }),
    'Pauses one queue: its jobs wait. A queue no service, schedule or job uses yet needs force: true.'),
  post('/v1/control/queues/{queue}/unpause', 'control.pauseQueue', reasonOnly, ({ params, body }) => withPath(body, { queue: params.queue, paused: false }), 'Dispatches a paused queue again.'),
  get('/v1/workers', 'workers.list'),
  post('/v1/workers/{id}/forget', 'workers.forget', z.object({}).strict(), ({ params, body }) => withPath(body, { id: params.id })),
  get('/v1/runners', 'runners.list'),
  ...supportRoutes,
  search('/v1/audit', 'audit.list', AuditQuery, (q) => q),
  ...scheduleRoutes,
  ...workflowRoutes,
  get('/v1/alerts', 'alerts.list'),
  search('/v1/alerts/history', 'alerts.history', AlertHistoryQuery, (q) => q),
  post('/v1/alerts/{rule}/ack', 'alerts.ack', calls['alerts.ack'].input.omit({ rule: true }), ({ params, body }) => withPath(body, { rule: params.rule })),
  post('/v1/alerts/{rule}/silence', 'alerts.silence', calls['alerts.silence'].input.omit({ rule: true }), ({ params, body }) => withPath(body, { rule: params.rule })),
  {
    ...post('/v1/alerts/rules/check', 'alerts.checkRule', calls['alerts.checkRule'].input, ({ body }) => body,
      "Checks one alert rule's YAML text as alerts save-rule and the console's rule editor do, without saving it: every problem with its line."),
    // Checks only the text it is sent: any key may ask; a read key's without the channels' variables here.
    write: false,
  },
  post('/v1/alerts/rules', 'alerts.saveRule', calls['alerts.saveRule'].input, ({ body }) => body),
  post('/v1/alerts/rules/{name}/delete', 'alerts.deleteRule', z.object({}).strict(), ({ params, body }) => withPath(body, { name: params.name })),
  get('/v1/rate-limits', 'rateLimits.list'),
  post('/v1/rate-limits/{service}/tune', 'rateLimits.tune', RateLimitTuneInput.omit({ service: true }), ({ params, body }) => withPath(body, { service: params.service })),
];

/** The route for a method and path, or why there is none (no such path, or not with that method). */
export type RouteMatch = { route: Route; params: Record<string, string> } | { route: null; allowed: string[] };

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return null;
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return null;
      }
      params[w.slice(1, -1)] = value;
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

export function findRoute(method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    allowed.push(route.method);
  }
  return { route: null, allowed };
}
