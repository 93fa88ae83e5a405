import { findRoute } from './routes.ts';

/**
 * The runbooks' endpoints (`POST /api/tasks`, `/api/v1/jobs/{id}`, `/v1/dead-letter-queue`), written for
 * other systems' APIs, by the REST API v1 route each means: a 404 that names it is one step, where "no
 * endpoint" alone leaves the operator to search the OpenAPI document.
 */

/** Other systems' names for a resource, by opsdeck's (the first segment under /v1). A Map: `constructor` is no resource. */
const RESOURCES: ReadonlyMap<string, string> = new Map([
  ['tasks', 'executions'],
  ['task', 'executions'],
  ['jobs', 'executions'],
  ['job', 'executions'],
  ['executions', 'executions'],
  ['execution', 'executions'],
  ['dlq', 'dlq'],
  ['dead-letter-queue', 'dlq'],
  ['dead_letter_queue', 'dlq'],
  ['dead-letters', 'dlq'],
  ['breakers', 'breakers'],
  ['circuit-breakers', 'breakers'],
  ['circuit_breakers', 'breakers'],
  ['workflows', 'workflows'],
  ['pipelines', 'workflows'],
  ['workflow-runs', 'workflow-runs'],
  ['pipeline-runs', 'workflow-runs'],
  ['runs', 'workflow-runs'],
  ['health', 'health'],
  ['status', 'status'],
  ['workers', 'workers'],
  ['heartbeats', 'workers'],
  ['runners', 'runners'],
  ['schedules', 'schedules'],
  ['alerts', 'alerts'],
  ['audit', 'audit'],
]);

/**
 * What a DELETE of one thing does in opsdeck, a POST under it: cancel a job or a run, remove a schedule,
 * delete an alert rule, forget a worker.
 */
const DELETE_AS = ['cancel', 'remove', 'delete', 'forget'];

/** The prefixes other systems' APIs hang their resources from, longest first. */
const PREFIXES = ['/api/v1/', '/api/', '/v1/', '/'];

/** The v1 path a runbook's path means, or null when its resource is none opsdeck knows. */
function v1PathOf(path: string): string | null {
  const prefix = PREFIXES.find((p) => path.startsWith(p));
  if (prefix === undefined) return null;
  const [resource = '', ...rest] = path.slice(prefix.length).split('/');
  const ours = RESOURCES.get(resource.toLowerCase());
  return ours === undefined ? null : ['/v1', ours, ...rest].join('/').replace(/\/$/, '');
}

/**
 * The route a request for a path this host has no endpoint at most likely meant, as `METHOD /v1/…`: the same
 * method where the v1 path takes it; for a DELETE, the POST that does it (`…/cancel`); else the method the
 * path takes, unless that is a read named for a write, which would do nothing the caller asked. Null when
 * nothing is close.
 */
function meantRoute(method: string, path: string): string | null {
  const v1 = v1PathOf(path);
  if (v1 === null || v1 === path) return null;
  const match = findRoute(method, v1);
  if (match.route) return `${match.route.method} ${v1}`;
  if (method === 'DELETE') {
    const acting = DELETE_AS.map((verb) => `${v1}/${verb}`).find((p) => findRoute('POST', p).route !== null);
    return acting === undefined ? null : `POST ${acting}`;
  }
  const [other] = match.allowed;
  const reads = method === 'GET' || method === 'HEAD';
  return other === undefined || (!reads && other === 'GET') ? null : `${other} ${v1}`;
}

/** A 404's message naming the v1 route a path with no endpoint likely meant; null when none is close. */
export function meantRouteMessage(method: string, path: string): string | null {
  const meant = meantRoute(method, path);
  return meant === null ? null : `no endpoint ${method} ${path}: opsdeck's is ${meant} (GET /v1/openapi.json lists every endpoint)`;
}

/** A 404's message for a path with no endpoint: the v1 route it likely meant, or `where` the endpoints are. */
export function noEndpointMessage(method: string, path: string, where: string): string {
  return meantRouteMessage(method, path) ?? `no endpoint ${method} ${path}: ${where}`;
}
