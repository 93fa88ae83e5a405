import type { IncomingMessage, ServerResponse } from 'node:http';
import { actingAs } from '../api/actingAs.ts';
import type { ApiContext } from '../api/context.ts';
import { dispatch } from '../api/dispatch.ts';
import { blindStoreAction, blindStoreFailure } from '../api/storeCheck.ts';
import { OPSDECK_VERSION } from '../api/version.ts';
import { authenticate, type Principal } from './auth.ts';
import { DEFAULT_MAX_BODY_BYTES, isJsonContentType, readBody } from './body.ts';
import { fromApiError, REST_STATUS, sendError, sendJson } from './errors.ts';
import { checkReplay, idempotencyKey, keyedBody } from './idempotency.ts';
import { controlNotTaken, isControlCall } from './controlNotTaken.ts';
import type { ControlCall } from '../../shared/controlNotTaken.ts';
import { openApiDocument } from './openapi.ts';
import { queryOf } from './query.ts';
import { asReadKeySees } from './readKeyAnswer.ts';
import { searchedAsReadKeySees } from './readKeySearch.ts';
import { RefusalAudit } from './refusalAudit.ts';
import { refuseQuery, RouteFailure, type Route } from './route.ts';
import { findRoute } from './routes.ts';
import { noEndpointMessage } from './runbookPaths.ts';
import { FailureThrottle } from './throttle.ts';
import { UNCHECKED_NEEDS, unprovedHealth } from './unprovedHealth.ts';
import { REST_WORDS } from './words.ts';
import { StoreError } from '../store/errors.ts';

export interface RestOptions {
  /** The host's context, read per request (a host may switch stores under it). */
  context: () => ApiContext;
  throttle?: FailureThrottle;
  /** The browser host's launch-token check; `opsdeck api` has none and takes only API keys. */
  isSession?: (req: Pick<IncomingMessage, 'headers'>) => boolean;
  maxBodyBytes?: number;
  /** Prometheus metrics at GET /metrics, for the launch token or any API key; absent: 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** How refused requests are audited (refusalAudit.ts); by default into the context's store, a minute's window. */
  refusals?: RefusalAudit;
}

/** Answers one request under /v1, /healthz, /readyz or /metrics; the host routes those paths here. */
export type RestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Whether a path is the REST API's: a host hands these over whole, so none ever gets the console's HTML. */
export function isRestPath(pathname: string): boolean {
  return pathname === '/healthz' || pathname === '/health' || pathname === '/readyz' || pathname === '/metrics' || pathname === '/v1' || pathname.startsWith('/v1/');
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

async function readiness(ctx: ApiContext): Promise<{ ready: boolean; status: string }> {
  try {
    const migrations = await ctx.store.migrationStatus();
    return migrations.current ? { ready: true, status: 'ready' } : { ready: false, status: 'migrations_pending' };
  } catch {
    // No detail: a probe without credentials learns nothing about where the store is.
    return { ready: false, status: 'store_unavailable' };
  }
}

type JsonBody = { ok: true; body: Record<string, unknown> } | { ok: false };

async function jsonBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<JsonBody> {
  if (!isJsonContentType(req.headers['content-type'])) {
    sendError(res, 'unsupported_media_type', 'the body must be JSON (Content-Type: application/json)');
    return { ok: false };
  }
  const read = await readBody(req, maxBytes);
  if (!read.ok) {
    if (read.tooLarge) sendError(res, 'payload_too_large', `the request body is larger than ${maxBytes} bytes`, { Connection: 'close' });
    else if (!res.headersSent) res.destroy();
    req.resume();
    return { ok: false };
  }
  if (read.text.trim() === '') return { ok: true, body: {} };
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    sendError(res, 'invalid_json', `the request body is not valid JSON: ${error instanceof Error ? error.message : 'not JSON'}`);
    return { ok: false };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sendError(res, 'invalid_input', 'the request body must be a JSON object', {}, [{ path: '', message: 'an object' }]);
    return { ok: false };
  }
  return { ok: true, body: Object.fromEntries(Object.entries(value)) };
}

function contextFor(base: ApiContext, principal: Principal, address: string): ApiContext {
  // A key acts under its own name, so the audit log says which script did what, and from where; whoever
  // asks, answers name what to send next as a request does (a body field, an endpoint), not a CLI option.
  const actor = principal.kind === 'key' ? { user: `api-key:${principal.key.name}`, host: address } : base.actor;
  // A read key learns nothing of this host's disk or environment, not even by a check's warnings.
  const hostHidden = principal.kind === 'key' && principal.key.scope !== 'operate' ? 'an operate key' : undefined;
  return actingAs(base, actor, REST_WORDS, hostHidden);
}

/** An answer a note is added to: every call that takes one answers an object. */
function asObject(answer: unknown): Record<string, unknown> {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw new Error('a note goes beside an object answer');
  return Object.fromEntries(Object.entries(answer));
}

/** REST API v1 over the console's contract calls, with API keys, scopes, throttling and OpenAPI. */
export function createRestHandler(opts: RestOptions): RestHandler {
  const throttle = opts.throttle ?? new FailureThrottle();
  const refusals = opts.refusals ?? new RefusalAudit((entry) => opts.context().store.audit(entry));
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let openapi: string | null = null;

  async function run(route: Route, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal, address: string): Promise<void> {
    let body: Record<string, unknown> = {};
    if (route.method === 'POST') {
      const read = await jsonBody(req, res, maxBodyBytes);
      if (!read.ok) return;
      body = read.body;
    }
    const ctx = contextFor(opts.context(), principal, address);
    const key = route.call === 'jobs.enqueue' ? idempotencyKey(req.headers['idempotency-key']) : null;
    if (key !== null) body = keyedBody(body, key);
    const query = queryOf(url);
    const input = route.input({ params, query, body });
    if (route.query === null) refuseQuery(route.method, query);
    const response = await dispatch(route.call, input, ctx);
    if (!response.ok) {
      const error = isControlCall(route.call) && response.error.code === 'unavailable' ? controlNotTaken(route.call, input, response.error, `${route.method} ${url.pathname}`) : response.error;
      sendJson(res, REST_STATUS[fromApiError(error).error.code], fromApiError(error));
      return;
    }
    await route.check?.(response.result, input, ctx);
    const note = (await route.note?.of(input, ctx)) ?? null;
    const extra: Record<string, string> = {};
    if (key !== null) {
      await checkReplay(ctx.store, body, response.result);
      extra['Idempotent-Replayed'] = String(route.status?.(response.result) === 200);
    }
    // Keys are REST's alone: the scope that decides what a read key may do also decides what it sees of a
    // payload and of a job's text, and what its search of that text finds.
    const readKey = principal.kind === 'key' && principal.key.scope !== 'operate';
    const shown = readKey ? searchedAsReadKeySees(route.call, input, asReadKeySees(response.result, ctx)) : response.result;
    sendJson(res, route.status?.(response.result) ?? 200, note === null ? shown : { ...asObject(shown), note }, extra);
  }

  /**
   * Who asks, or null once the refusal is sent. A credential that proved nothing is audited wherever it was
   * sent; no credential at all only on a route that acts (a probe without a key reads nothing). An address
   * locked out by the throttle is not: its attempts were audited until it was.
   */
  async function signIn(req: IncomingMessage, res: ServerResponse, address: string, route: string, acts: boolean): Promise<{ principal: Principal } | null> {
    const auth = await authenticate(req, { store: opts.context().store, throttle, address, isSession: opts.isSession });
    if (auth.ok) return auth;
    req.resume();
    if (auth.code === 'rate_limited') {
      sendError(res, auth.code, auth.message, { 'Retry-After': String(auth.retryAfterS) });
      return null;
    }
    if (acts || auth.failure.reason !== 'no_key') {
      refusals.note({ action: 'api_key.auth_failed', actor: { user: 'unauthenticated', host: address }, route, details: { ...auth.failure } });
    }
    sendError(res, auth.code, auth.message, { 'WWW-Authenticate': 'Bearer realm="opsdeck"' });
    return null;
  }

  /** Any key may read the metrics: a read key is what a Prometheus scrape config is given. */
  async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!opts.metrics) {
      sendError(res, 'not_found', 'no metrics on this host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'method_not_allowed', 'use GET for /metrics', { Allow: 'GET, HEAD' });
      return;
    }
    if (!(await signIn(req, res, clientAddress(req), `${req.method} /metrics`, false))) return;
    const { contentType, body } = await opts.metrics();
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /**
   * A control request whose key could not be looked up, for the store does not answer: the change was NOT
   * made, said in the words a caller not proved may read (the failure's kind), with the request to send
   * again. Its body is read for what it asked (a safe mode on or off).
   */
  async function controlUnproved(call: ControlCall, route: Route, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, url: URL, error: StoreError): Promise<void> {
    const read = route.method === 'POST' ? await jsonBody(req, res, maxBodyBytes) : { ok: true as const, body: {} };
    if (!read.ok) return;
    const action = blindStoreAction(error);
    const unproved = { code: 'unavailable' as const, message: blindStoreFailure(opts.context().store.dialect, error, UNCHECKED_NEEDS), ...(action === undefined ? {} : { action }) };
    let input: unknown = null;
    try {
      input = route.input({ params, query: queryOf(url), body: read.body });
    } catch {
      // A body that asks for nothing this can read: the outage is said as it is.
    }
    sendJson(res, REST_STATUS.unavailable, fromApiError(controlNotTaken(call, input, unproved, `${route.method} ${url.pathname}`)));
  }

  // A store that went away while a request was signed in or answered (the API key is looked up in the
  // store) is the documented 503, as a call's own failure is (dispatch.ts), not an internal error.
  return async (req, res, url) => {
    try {
      await answer(req, res, url);
    } catch (error) {
      if (!(error instanceof StoreError) || res.headersSent) throw error;
      req.resume();
      // Before a key is proved (it is looked up in the store), the failure's kind and what to do only: the
      // store's own words name its server, user and database.
      const action = blindStoreAction(error);
      sendJson(res, REST_STATUS.unavailable, fromApiError({ code: 'unavailable', message: blindStoreFailure(opts.context().store.dialect, error, UNCHECKED_NEEDS), ...(action === undefined ? {} : { action }) }));
    }
  };

  async function answer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    // /health: the runbooks' liveness check (curl …/health), answered as /healthz.
    if (path === '/healthz' || path === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      const ready = await readiness(opts.context());
      sendJson(res, ready.ready ? 200 : 503, { status: ready.status });
      return;
    }
    if (path === '/v1/openapi.json') {
      openapi ??= JSON.stringify(openApiDocument(OPSDECK_VERSION));
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(openapi), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : openapi);
      return;
    }
    if (path === '/metrics') {
      await serveMetrics(req, res);
      return;
    }
    const match = findRoute(req.method ?? 'GET', path);
    if (!match.route) {
      if (match.allowed.length > 0) sendError(res, 'method_not_allowed', `use ${match.allowed.join(' or ')} for ${path}`, { Allow: match.allowed.join(', ') });
      else sendError(res, 'not_found', noEndpointMessage(req.method ?? 'GET', path, 'GET /v1/openapi.json lists them'));
      return;
    }
    const address = clientAddress(req);
    const { route, params } = match;
    const acts = route.write || route.operateOnly !== null;
    const asked = `${route.method} ${path}`;
    let auth: Awaited<ReturnType<typeof signIn>>;
    try {
      auth = await signIn(req, res, address, asked, acts);
    } catch (error) {
      if (error instanceof StoreError && isControlCall(route.call) && !res.headersSent) {
        await controlUnproved(route.call, route, params, req, res, url, error);
        return;
      }
      // The health endpoint answers an outage in the report's shape, as the console and the CLI do.
      if (!(error instanceof StoreError) || route.call !== 'health.check' || res.headersSent) throw error;
      req.resume();
      const health = unprovedHealth(error, opts.context().store.dialect, params.check);
      if ('unknown' in health) sendError(res, 'not_found', health.unknown);
      else sendJson(res, REST_STATUS.unavailable, health.report);
      return;
    }
    if (!auth) return;
    if (acts && auth.principal.kind === 'key' && auth.principal.key.scope !== 'operate') {
      req.resume();
      const { name, key_id, scope } = auth.principal.key;
      refusals.note({ action: 'api_key.refused', actor: { user: `api-key:${name}`, host: address }, route: asked, details: { key_prefix: `odk_${key_id}`, scope } });
      const key = `the API key "${name}"`;
      const needs = `${route.method} ${route.path} needs an operate key`;
      sendError(res, 'forbidden', route.operateOnly === null ? `${key} may only read; ${needs}` : `${key} is a read key; ${needs}: ${route.operateOnly}`);
      return;
    }
    try {
      await run(route, params, req, res, url, auth.principal, address);
    } catch (error) {
      if (error instanceof RouteFailure) sendError(res, error.code, error.message, {}, error.issues);
      else throw error;
    }
  }
}
