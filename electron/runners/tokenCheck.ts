import type { TokenCheck } from '../../shared/connectivity.ts';
import type { HttpRunnerConfig } from '../../shared/registry.ts';
import { authHeader, credentialVariables } from './http.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Asks the service whether it accepts the credential: one GET of its base URL with the Authorization
 * header its jobs would send. 401 and 403 are a refusal; any other answer means the credential was not
 * refused. A GET of the base URL, never the service's own method and path, so checking triggers nothing.
 */
export async function checkToken(service: string, cfg: HttpRunnerConfig, env: Env, timeoutMs = 5000): Promise<TokenCheck> {
  const variables = credentialVariables(cfg).map((name) => ({ name, set: (env[name] ?? '') !== '' }));
  const base = { service, auth_type: cfg.auth_type, variables };
  if (cfg.auth_type === 'none') return { ...base, accepted: null, http_status: null, detail: `${service} sends no credential (auth_type: none): nothing to validate` };
  const auth = authHeader(cfg, env);
  if (auth.header === undefined) {
    const missing = auth.missing ?? 'the credential';
    const detail = missing.startsWith('auth_config.')
      ? `${service} has auth_type ${cfg.auth_type} but no ${missing} in the registry`
      : `environment variable ${missing} is not set: export it where the workers run`;
    return { ...base, accepted: null, http_status: null, detail };
  }
  try {
    const response = await fetch(cfg.base_url, {
      method: 'GET',
      headers: { authorization: auth.header, 'user-agent': 'opsdeck-validate-token' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    const refused = response.status === 401 || response.status === 403;
    const named = variables.map((v) => v.name).join(' and ');
    return {
      ...base,
      accepted: !refused,
      http_status: response.status,
      detail: refused
        ? `${cfg.base_url} refused the credential from ${named} (HTTP ${response.status}): renew it, then restart the workers`
        : `${cfg.base_url} accepted the credential from ${named} (HTTP ${response.status})`,
    };
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { ...base, accepted: null, http_status: null, detail: `could not ask ${cfg.base_url}: ${reason} (opsdeck test-connectivity ${service} shows where the path breaks)` };
  }
}
