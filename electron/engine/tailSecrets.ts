import type { ServiceConfig } from '../../shared/registry.ts';
import { isSecretKey, REDACTED, secretValues } from '../config/secrets.ts';

/**
 * A job's output tail is stored, shown in the console and handed to the tasks that depend on it in a
 * workflow: a secret the service was given (every variable its runner_config names by `*_env_var`, and
 * the variables a shell or docker job is passed whose names say secret, like API_TOKEN) is replaced
 * wherever the job printed it. Worked out once per loaded service; a service without secrets
 * costs nothing.
 */
const secretsByService = new WeakMap<ServiceConfig, readonly string[]>();

function envVarNames(value: unknown, out: string[]): string[] {
  if (Array.isArray(value)) {
    for (const item of value) envVarNames(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (/_env_var$/i.test(key) && typeof inner === 'string') out.push(inner);
      else if (key === 'env' && Array.isArray(inner)) out.push(...inner.filter((name): name is string => typeof name === 'string' && isSecretKey(name)));
      else envVarNames(inner, out);
    }
  }
  return out;
}

export function serviceSecrets(service: ServiceConfig | undefined, env: Readonly<Record<string, string | undefined>>): readonly string[] {
  if (service === undefined) return [];
  let secrets = secretsByService.get(service);
  if (secrets === undefined) {
    // Longest first, so a secret that contains another is replaced whole.
    secrets = secretValues(env, envVarNames(service.runner_config, [])).sort((a, b) => b.length - a.length);
    secretsByService.set(service, secrets);
  }
  return secrets;
}

export function withoutSecrets(tail: string, secrets: readonly string[]): string {
  let out = tail;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
