import type { ControlHold, InterfaceWords } from '../api/interfaceWords.ts';
import { z } from 'zod';
import type { Route } from './route.ts';
import { ROUTES } from './routes.ts';

/** A route's path with its parameters filled from `input` (those not given stay `{name}`). */
function filled(path: string, input: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = input[name];
    return value === undefined ? whole : encodeURIComponent(value);
  });
}

/** A workflow run's path, or with null the route's own `{run}`, for any of several. */
function runPath(path: string, run: number | null): string {
  return run === null ? path : filled(path, { run: String(run) });
}

function release(hold: ControlHold): string {
  if (hold.kind === 'emergency_stop') return 'POST /v1/control/resume releases it';
  if (hold.kind === 'safe_mode') return 'POST /v1/control/safe-mode with {"enabled": false}';
  return `POST ${filled('/v1/control/queues/{queue}/unpause', { queue: hold.queue })}`;
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].flatMap(([, name]) => (name === undefined ? [] : [name]));
}

function pathGiven(route: Route, input: Readonly<Record<string, string>>): boolean {
  return pathParams(route.path).every((name) => input[name] !== undefined);
}

/**
 * How much of what is given a route takes, in its path and its body: a service's own connectivity, not
 * every one's; a URL's own check, not every service's. Else a GET, which asks for nothing more, before a
 * POST whose body would.
 */
function takes(route: Route, input: Readonly<Record<string, string>>): number {
  const body = route.body instanceof z.ZodObject ? Object.keys(route.body.shape).filter((key) => input[key] !== undefined).length : 0;
  return 2 * (pathParams(route.path).length + body) + (route.method === 'GET' ? 1 : 0);
}

/** REST's words for what to do next: a field of the JSON body, an endpoint. */
export const REST_WORDS: InterfaceWords = {
  input: (_call, field, value) => `${JSON.stringify(field)}: ${JSON.stringify(value)} in the body`,
  call: (call, input = {}) => {
    const route = ROUTES.filter((r) => r.call === call && pathGiven(r, input)).sort((a, b) => takes(b, input) - takes(a, input) || b.path.length - a.path.length)[0];
    return route ? `${route.method} ${filled(route.path, input)}` : `the endpoint of ${call} (GET /v1/openapi.json lists them)`;
  },
  // REST loads no registry: the host serving it is given one when it starts.
  loadRegistry: () => 'start this host with --registry FILE (or OPSDECK_REGISTRY)',
  release,
  // One route of breakers.setMode per mode: the first found would be another mode's.
  resetBreaker: (service) => `POST ${filled('/v1/breakers/{service}/reset', { service })}`,
  // No endpoint starts one: a worker is a process on a server.
  startWorker: () => 'opsdeck worker on a server',
  moreCapacity: () => 'start another worker (opsdeck worker on a server) or restart one with a higher --concurrency',
  rateLimitDefaults: (service, registry) => `POST ${filled('/v1/rate-limits/{service}/tune', { service })} with {"defaults": true} goes back to the registry's: ${registry}`,
  workflowRun: {
    show: (run) => `GET ${runPath('/v1/workflow-runs/{run}', run)} says which task holds ${run === null ? 'each' : 'it'}`,
    cancel: (run) => `POST ${runPath('/v1/workflow-runs/{run}/cancel', run)} ends ${run === null ? 'one' : 'it'}`,
    retry: (run) => `POST ${runPath('/v1/workflow-runs/{run}/retry', run)} runs its failed and cancelled tasks again`,
  },
  migrate: () => 'run opsdeck migrate where the store is reachable (no endpoint migrates it)',
  stuckJobs: { list: 'GET /v1/executions?stuck=true lists them', fail: 'POST /v1/executions/{id}/fail fails each' },
  stuckJob: (id) => ({ list: 'GET /v1/executions?stuck=true lists it', fail: `POST ${filled('/v1/executions/{id}/fail', { id: String(id) })} fails it` }),
  // A service's own connectivity has its endpoint; a runner kind's probe is in the health check.
  checkByHand: (service, kind) => (kind === 'http' ? `GET ${filled('/v1/runners/connectivity/{service}', { service })}` : `GET /v1/health/runner:${kind}`),
  healthCheck: (check) => `GET ${filled('/v1/health/{check}', { check })}`,
};
