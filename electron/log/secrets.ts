import type { Registry } from '../../shared/registry.ts';
import { secretsNamed } from '../config/redaction.ts';
import { hidesValue, isSecretKey, REDACTED, redactValue } from '../config/secrets.ts';
import type { LogFields } from './logger.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Every `…_env_var: NAME` of a registry, at any depth. */
export function secretVariables(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) secretVariables(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/_env_var$/i.test(k) && typeof v === 'string') out.add(v);
      else secretVariables(v, out);
    }
  }
  return out;
}

/**
 * The secret values no log line may carry: the variables the registry names as secrets (followed as it
 * reloads), variables whose names look secret, and the password of any URL in the environment or the
 * store's location. Read by the logger as each line is written.
 */
export class LogSecrets {
  readonly #env: Env;
  #urls: readonly string[];
  #named: readonly string[] = [];
  #values: readonly string[];

  constructor(env: Env, urls: readonly string[] = []) {
    this.#env = env;
    this.#urls = urls;
    this.#values = secretsNamed(env, [], urls);
  }

  get values(): readonly string[] {
    return this.#values;
  }

  /** Takes the registry's secret variables now and whenever it changes. */
  follow(holder: { readonly registry: Registry; onChange(listener: (registry: Registry) => void): () => void }): () => void {
    const take = (registry: Registry) => {
      this.#named = [...secretVariables(registry)];
      this.#values = secretsNamed(this.#env, this.#named, this.#urls);
    };
    take(holder.registry);
    return holder.onChange(take);
  }

  /** A store URL the process uses from now on (Settings switched to it): its password is cut from every line too. */
  addUrl(url: string): void {
    // As the store reads a location: a URL pasted with spaces around it opens all the same.
    const trimmed = url.trim();
    if (this.#urls.includes(trimmed)) return;
    this.#urls = [...this.#urls, trimmed];
    this.#values = secretsNamed(this.#env, this.#named, this.#urls);
  }
}

/** A line's fields with the value of every key named like a secret replaced, at any depth. */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    // A count (`tokens: 5`) or a flag stays; any other value under a secret's name goes, null included.
    const cut = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? hidesValue(k, v) : isSecretKey(k) && v !== undefined && (v === null || typeof v !== 'object');
    out[k] = cut ? REDACTED : redactValue(v);
  }
  return out;
}
