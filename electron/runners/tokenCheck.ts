import type { TokenCheck } from '../../shared/connectivity.ts';
import type { HttpRunnerConfig } from '../../shared/registry.ts';
import { reasonOf } from './connectivity.ts';
import { authHeader, credentialVariables, targetUrl } from './http.ts';
import { safePath } from './httpCall.ts';
import { askableBase, isJobsOwnUrl, noRequestSent } from './jobsOwnUrl.ts';
import { PROBE_USER_AGENT } from './probeAgent.ts';
import type { CheckedIn } from './runner.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Asks the service whether it accepts the credential: a GET with the Authorization header its jobs would
 * send, of the service's own path when its jobs GET it (safe to repeat), else of its base URL, never the
 * URL of the service's own POST or PUT (none is sent where the base URL is it), so checking triggers
 * nothing. 401 and 403 are a refusal. Anything else is
 * only an acceptance if the same URL refuses a request without the credential: a URL that answers both
 * alike checks no credential, and says nothing about this one.
 *
 * The credential is read from the environment of the process the check runs in, which is not the
 * workers': a variable missing there says nothing of theirs, and the answer says so rather than ask the
 * operator to export what the workers may well have. `connectivity`: how the interface that asked tests the
 * path to the service (`opsdeck test-connectivity S`, a button beside it), for an answer that never came.
 */
export async function checkToken(service: string, cfg: HttpRunnerConfig, env: Env, checkedIn: CheckedIn, connectivity: string, timeoutMs = 5000): Promise<TokenCheck> {
  const variables = credentialVariables(cfg).map((name) => ({ name, set: (env[name] ?? '') !== '' }));
  const base = { service, auth_type: cfg.auth_type, variables };
  const untested = (detail: string): TokenCheck => ({ ...base, tested: false, accepted: null, http_status: null, detail });
  if (cfg.auth_type === 'none') return untested(`${service} sends no credential (auth_type: none): nothing to validate`);
  const auth = authHeader(cfg, env);
  if (auth.header === undefined) {
    const missing = auth.missing ?? 'the credential';
    if (missing.startsWith('auth_config.')) return untested(`${service} has auth_type ${cfg.auth_type} but no ${missing} in the registry`);
    const unset = variables.filter((v) => !v.set).map((v) => v.name);
    const lacking = unset.length > 0 ? unset : [missing];
    const ownJobs = checkedIn.runsJobs ? `; its own jobs of ${service} lack ${lacking.length > 1 ? 'them' : 'it'} too` : '';
    return untested(
      `this check runs in ${checkedIn.process}, which lacks ${lacking.join(' and ')}, so it cannot test the token the workers use${ownJobs}: run opsdeck validate-token ${service} where a worker runs, with its environment`,
    );
  }
  const { url, untried } = tokenTarget(cfg);
  if (url === null) return untested(`${noRequestSent(cfg.method, safePath(cfg.path))}: run one job to see whether the credential is accepted`);
  const where = `${url.origin}${url.pathname}`;
  const named = variables.map((v) => v.name).join(' and ');
  try {
    const withCredential = await statusOf(url, auth.header, timeoutMs);
    if (withCredential === 401 || withCredential === 403) {
      return { ...base, tested: true, accepted: false, http_status: withCredential, detail: `${where} refused the credential from ${named}, as set in ${checkedIn.process} (HTTP ${withCredential}): renew it, then restart the workers` };
    }
    const without = await statusOf(url, undefined, timeoutMs);
    if (without === 401 || without === 403) {
      return { ...base, tested: true, accepted: true, http_status: withCredential, detail: `${where} accepted the credential from ${named}, as set in ${checkedIn.process} (HTTP ${withCredential}; HTTP ${without} without it)` };
    }
    const notTried = untried ? `; the jobs' ${untried} was not tried (it could do work): run one job to see` : '';
    return {
      ...base,
      tested: true,
      accepted: null,
      http_status: withCredential,
      detail: `${where} answers HTTP ${withCredential} with the credential from ${named} and HTTP ${without} without one, so it checks no credential${notTried}`,
    };
  } catch (error) {
    const reason = reasonOf(error, `no answer within ${timeoutMs / 1000}s`);
    return { ...base, tested: true, accepted: null, http_status: null, detail: `could not ask ${where}: ${reason} (${connectivity} shows where the path breaks)` };
  }
}

/**
 * The URL the credential is tried on: the service's own when its jobs GET it, else its base URL (without
 * its query or user info), naming the call left untried; none when the base URL is the jobs' own URL, which
 * a GET with their credential could set to work. A path that leads elsewhere is the base URL's too (the
 * runner refuses it anyway).
 */
function tokenTarget(cfg: HttpRunnerConfig): { url: URL | null; untried: string | null } {
  const own = targetUrl(cfg.base_url, cfg.path, undefined);
  if (cfg.method === 'GET' && own instanceof URL) return { url: own, untried: null };
  const base = askableBase(cfg.base_url);
  if (cfg.method === 'GET') return { url: base, untried: null };
  const untried = `${cfg.method} ${safePath(cfg.path)}`;
  return { url: own instanceof URL && isJobsOwnUrl(base, own) ? null : base, untried };
}

async function statusOf(url: URL, authorization: string | undefined, timeoutMs: number): Promise<number> {
  const response = await fetch(url, {
    method: 'GET',
    headers: { ...(authorization ? { authorization } : {}), 'user-agent': PROBE_USER_AGENT },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  return response.status;
}
