import type { JsonObject } from '../../shared/domain.ts';
import type { HttpRunnerConfig, ServiceConfig } from '../../shared/registry.ts';
import { httpCall, safePath, safeUrl } from './httpCall.ts';
import { isJobsOwnUrl } from './jobsOwnUrl.ts';
import { PROBE_USER_AGENT } from './probeAgent.ts';
import { configError, failure, payloadObject, unsetVariables, wrongKind } from './result.ts';
import { acceptsConnections } from './socketReach.ts';
import type { CheckedIn, HealthResult, Runner, RunRequest, RunResult } from './runner.ts';

type Env = Readonly<Record<string, string | undefined>>;

const USER_AGENT = 'opsdeck-runner';

/**
 * A credential's variable as a job reads it: a bearer token must not be empty (`Bearer ` is no credential);
 * a basic user or password may be.
 */
function credential(env: Env, name: string, emptyIsUnset: boolean): string | undefined {
  const value = env[name];
  return emptyIsUnset && value === '' ? undefined : value;
}

/** The Authorization header from the variables the service names; the error names a variable, never a value. */
export function authHeader(cfg: HttpRunnerConfig, env: Env): { header?: string; missing?: string } {
  const auth = cfg.auth_config ?? {};
  if (cfg.auth_type === 'bearer') {
    const name = auth.token_env_var;
    if (!name) return { missing: 'auth_config.token_env_var' };
    const token = credential(env, name, true);
    return token === undefined ? { missing: name } : { header: `Bearer ${token}` };
  }
  if (cfg.auth_type === 'basic') {
    const user = auth.username_env_var;
    const pass = auth.password_env_var;
    if (!user || !pass) return { missing: 'auth_config.username_env_var/password_env_var' };
    const u = credential(env, user, false);
    const p = credential(env, pass, false);
    if (u === undefined) return { missing: user };
    if (p === undefined) return { missing: pass };
    return { header: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` };
  }
  return {};
}

/**
 * The variables a job of this service reads its credential from that `env` lacks, as authHeader reads
 * them: only those its auth_type uses (a token variable left beside `auth_type: none` is never read).
 */
export function unsetCredentials(cfg: HttpRunnerConfig, env: Env): string[] {
  return credentialVariables(cfg).filter((name) => credential(env, name, cfg.auth_type === 'bearer') === undefined);
}

function queryValue(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * base_url + path (the payload's path wins) + query; a path may not lead to another origin. A refusal quotes
 * the path without its query: it is kept as the job's error, which anyone reading jobs sees.
 */
export function targetUrl(baseUrl: string, path: string, query: unknown): URL | string {
  if (!path.startsWith('/') || path.startsWith('//')) return `path must start with a single '/': '${safePath(path)}'`;
  const base = new URL(baseUrl);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
  if (url.origin !== base.origin) return `path leads outside base_url: '${safePath(path)}'`;
  if (query !== undefined) {
    const q = payloadObject(query);
    if (!q) return 'payload.query must be an object of strings, numbers or booleans';
    for (const [key, raw] of Object.entries(q)) {
      const value = queryValue(raw);
      if (value === null) return `payload.query.${key} must be a string, number or boolean`;
      url.searchParams.append(key, value);
    }
  }
  return url;
}

/** Calls an HTTP API: one request per attempt, Idempotency-Key set to the job's identifier. */
export class HttpRunner implements Runner {
  readonly kind = 'http';

  async run(request: RunRequest): Promise<RunResult> {
    const { service } = request;
    if (service.execution_type !== 'http') return wrongKind('http', service.execution_type);
    const cfg = service.runner_config;
    const payload = payloadObject(request.payload) ?? {};
    const path = typeof payload.path === 'string' ? payload.path : cfg.path;
    const url = targetUrl(cfg.base_url, path, payload.query);
    if (typeof url === 'string') return failure({ message: url, error_class: 'payload', retryable: false });

    const auth = authHeader(cfg, request.env);
    const context: JsonObject = {
      runner: 'http',
      url: safeUrl(url),
      method: cfg.method,
      auth_type: cfg.auth_type,
      idempotent: cfg.idempotent,
    };
    if (auth.missing?.startsWith('auth_config.')) return configError(`auth_type ${cfg.auth_type} needs ${auth.missing} in the registry`, { security_context: context });
    if (auth.missing) return unsetVariables([auth.missing], { security_context: context });

    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
      ...lowerKeys(cfg.headers ?? {}),
      'idempotency-key': request.identifier,
    };
    if (auth.header) headers.authorization = auth.header;
    let body: string | undefined;
    if (payload.body !== undefined && cfg.method !== 'GET') {
      body = JSON.stringify(payload.body);
      headers['content-type'] ??= 'application/json';
    }
    const result = await httpCall({
      url,
      method: cfg.method,
      headers,
      body,
      signal: request.signal,
      timeoutSeconds: request.timeoutSeconds,
      idempotent: cfg.idempotent,
      maxRetryAfter: cfg.max_retry_after,
      securityContext: context,
    });
    return withoutCredentials(result, credentialValues(cfg, request.env, auth.header));
  }

  async probe(services: ServiceConfig[], _env?: Readonly<Record<string, string | undefined>>, checkedIn?: CheckedIn): Promise<HealthResult> {
    if (checkedIn?.upstreams === false) return { ok: true, detail: 'upstreams not reached' };
    const origins = new Map<string, string[]>();
    const jobsOwn = new Set<string>();
    for (const s of services) {
      if (s.execution_type !== 'http') continue;
      const cfg = s.runner_config;
      const origin = new URL(cfg.base_url).origin;
      addEndpoint(origins, origin, s.name);
      const own = targetUrl(cfg.base_url, cfg.path, undefined);
      if (cfg.method !== 'GET' && own instanceof URL && isJobsOwnUrl(new URL(origin), own)) jobsOwn.add(origin);
    }
    return probeUrls(origins, jobsOwn);
  }
}

/** Shorter values would cut ordinary words out of the text; such a credential is no secret anyway. */
const SHORTEST_SECRET = 4;

/** The variables a service's credential is read from, by name. */
export function credentialVariables(cfg: HttpRunnerConfig): string[] {
  const auth = cfg.auth_config ?? {};
  if (cfg.auth_type === 'bearer') return auth.token_env_var ? [auth.token_env_var] : [];
  if (cfg.auth_type === 'basic') return [auth.username_env_var, auth.password_env_var].filter((name): name is string => name !== undefined);
  return [];
}

/** What this call sent as its credential, in every form an upstream might echo: the header, the token, the user and password. */
function credentialValues(cfg: HttpRunnerConfig, env: Env, header: string | undefined): string[] {
  if (header === undefined) return [];
  const named = credentialVariables(cfg).map((name) => env[name]);
  const values = [header, header.replace(/^\S+\s+/, ''), ...named].filter((v): v is string => v !== undefined && v.length >= SHORTEST_SECRET);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/**
 * An upstream that echoes the request back (a 401 page quoting the Authorization header, a debug endpoint)
 * would put the credential into the job's error and output tail, which the console, the API and the
 * dead-letter queue show. The values this call sent are cut out of both before anything is stored.
 */
export function withoutCredentials(result: RunResult, secrets: string[]): RunResult {
  if (secrets.length === 0) return result;
  const cut = (text: string) => secrets.reduce((acc, secret) => acc.replaceAll(secret, '[redacted]'), text);
  return { ...result, output_tail: cut(result.output_tail), ...(result.error ? { error: { ...result.error, message: cut(result.error.message) } } : {}) };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Any HTTP answer (even 404) means the endpoint is up; only no answer is unhealthy. A server error is
 * still an answer, but a warning: "answering" alone, while every job of the service fails with a 503,
 * reads as all being well. Not a failure, as test-connectivity's is: this says whether opsdeck can run the
 * kind's jobs, and an upstream's outage is what its services' breakers hold them through. Each endpoint is said by the services that call it (`endpoints`: URL to their
 * names), as their jobs and breakers name them, with the URL beside. One endpoint down fails the kind's
 * check, and says how many of its services it is (`1 of 4 service(s) not answering`): the rest still run.
 * An endpoint in `jobsOwn` is the URL jobs that do not GET call (a function URL taking POST /): a GET could
 * do their work, so it is only connected to, and answering means accepting the connection.
 */
export async function probeUrls(endpoints: ReadonlyMap<string, readonly string[]>, jobsOwn: ReadonlySet<string> = new Set(), timeoutMs = 3000): Promise<HealthResult> {
  if (endpoints.size === 0) return { ok: true, detail: 'no services' };
  const down: string[] = [];
  const downUrls: string[] = [];
  const failing: string[] = [];
  const who = (url: string) => {
    const services = endpoints.get(url) ?? [];
    return services.length > 0 ? `${services.join(', ')} at ${url}` : url;
  };
  await Promise.all(
    [...endpoints.keys()].map(async (url) => {
      try {
        if (jobsOwn.has(url)) {
          await acceptsConnections(new URL(url), timeoutMs);
          return;
        }
        const response = await fetch(url, { method: 'GET', headers: { 'user-agent': PROBE_USER_AGENT }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
        await response.body?.cancel();
        if (response.status >= 500) failing.push(`${who(url)} answers HTTP ${response.status}`);
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error && 'code' in error.cause ? String(error.cause.code) : '';
        down.push(`${who(url)} (${cause || (error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable')})`);
        downUrls.push(url);
      }
    }),
  );
  const serverErrors = failing.length > 0 ? `; ${failing.sort().join('; ')}: a server error, which its jobs fail on while it answers so` : '';
  if (down.length > 0) return { ok: false, detail: `${downCount(endpoints, downUrls)} not answering: ${down.sort().join(', ')}${serverErrors}` };
  const answering = `${endpoints.size} endpoint(s) answering${serverErrors}`;
  return failing.length > 0 ? { ok: true, warning: true, detail: answering } : { ok: true, detail: answering };
}

/** `1 of 4 service(s)` by the services that call the endpoints down, or by endpoints when one has none named. */
function downCount(endpoints: ReadonlyMap<string, readonly string[]>, down: string[]): string {
  const named = [...endpoints.values()];
  if (named.some((services) => services.length === 0)) return `${down.length} of ${endpoints.size} endpoint(s)`;
  const services = (urls: readonly string[]) => new Set(urls.flatMap((url) => endpoints.get(url) ?? [])).size;
  return `${services(down)} of ${services([...endpoints.keys()])} service(s)`;
}

/** Adds a service's endpoint to those a probe asks, by URL: several services may share one. */
export function addEndpoint(endpoints: Map<string, string[]>, url: string, service: string): void {
  const services = endpoints.get(url);
  if (services) services.push(service);
  else endpoints.set(url, [service]);
}
