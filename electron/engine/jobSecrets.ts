import type { ServiceConfig } from '../../shared/registry.ts';
import type { RunResult } from '../runners/runner.ts';
import { isSecretishName, redactText } from '../config/redaction.ts';
import { urlPasswords } from '../store/location.ts';
import { secretValues } from '../config/secrets.ts';

/**
 * What a job printed is stored, shown in the console and the dead-letter queue, and handed to the tasks
 * that depend on it in a workflow: its output tail, and its error message (a shell or docker failure
 * quotes the last line of stderr). A secret the service was given is cut from both, by the rules the
 * logger keeps: every variable its runner_config names by `*_env_var`, every variable a shell or docker
 * job is passed whose name says secret (API_TOKEN, STRIPE_KEY, DATABASE_URL), and the password inside
 * any URL it is passed or prints. Worked out once per loaded service.
 */
const secretsByService = new WeakMap<ServiceConfig, readonly string[]>();

function namedVariables(value: unknown, out: { secret: string[]; passed: string[] }): void {
  if (Array.isArray(value)) {
    for (const item of value) namedVariables(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (/_env_var$/i.test(key) && typeof inner === 'string') out.secret.push(inner);
      else if (key === 'env' && Array.isArray(inner)) out.passed.push(...inner.filter((name): name is string => typeof name === 'string'));
      else namedVariables(inner, out);
    }
  }
}

export function serviceSecrets(service: ServiceConfig | undefined, env: Readonly<Record<string, string | undefined>>): readonly string[] {
  if (service === undefined) return [];
  let secrets = secretsByService.get(service);
  if (secrets === undefined) {
    const named = { secret: [] as string[], passed: [] as string[] };
    namedVariables(service.runner_config, named);
    const values = new Set(secretValues(env, [...named.secret, ...named.passed.filter(isSecretishName)]));
    for (const name of named.passed) for (const password of urlPasswords(env[name] ?? '')) if (password.length >= 3) values.add(password);
    // Longest first, so a secret that contains another is cut whole.
    secrets = [...values].sort((a, b) => b.length - a.length);
    secretsByService.set(service, secrets);
  }
  return secrets;
}

/** The result with its output tail and error message cut of the service's secrets and of URL passwords. */
export function withoutSecrets(result: RunResult, secrets: readonly string[]): RunResult {
  if (!result.output_tail && !result.error) return result;
  const cut = { ...result, output_tail: redactText(result.output_tail, secrets) };
  if (result.error) cut.error = { ...result.error, message: redactText(result.error.message, secrets) };
  return cut;
}
