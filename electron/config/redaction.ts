import { urlPasswords } from '../store/location.ts';
import { isSecretKey, REDACTED, redactUrl, secretValues } from './secrets.ts';

/** Names that say "secret" even when the registry does not name them (DB_PASSWORD, STRIPE_KEY, ...). */
const SECRETISH_NAME = /(token|secret|passw(or)?d|pwd|api[_-]?key|_key$|^key_|credential|auth|cookie|private|session|signature|dsn|database_url|_url$)/i;
/** The shell's working directories: "pwd" in their names, a path in their values, which every log line about a file would lose. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/** Whether a variable's name says its value is secret (API_TOKEN, STRIPE_KEY, DATABASE_URL, ...). */
export function isSecretishName(name: string): boolean {
  return !NOT_SECRET.has(name) && (isSecretKey(name) || SECRETISH_NAME.test(name));
}

/** The variable names a registry's text gives as `…_env_var: NAME`. */
function envVarNamesIn(registryText: string | null): string[] {
  return registryText ? [...registryText.matchAll(/_env_var\s*:\s*["']?([A-Za-z_][A-Za-z0-9_]*)/g)].flatMap((m) => (m[1] ? [m[1]] : [])) : [];
}

/**
 * Every value that must not leave the machine: variables the registry names as secrets, variables whose
 * names look secret, and passwords inside any URL-valued variable (OPSDECK_DB=postgres://u:pw@...).
 */
export function secretsOf(env: Readonly<Record<string, string | undefined>>, registryText: string | null, extraUrls: string[] = []): string[] {
  return secretsNamed(env, envVarNamesIn(registryText), extraUrls);
}

/** secretsOf, with the registry's secret variables given by name. */
export function secretsNamed(env: Readonly<Record<string, string | undefined>>, named: readonly string[], extraUrls: readonly string[] = []): string[] {
  const secretish = Object.keys(env).filter(isSecretishName);
  const values = new Set(secretValues(env, [...named, ...secretish]));
  for (const value of [...Object.values(env), ...extraUrls]) {
    if (value) for (const pw of urlPasswords(value)) if (pw.length >= 3) values.add(pw);
  }
  // Longest first, so a secret that contains another is cut whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** The text with URL passwords and every known secret value replaced. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  // JSON escapes a secret with quotes or backslashes differently: cut that form too.
  for (const secret of secrets) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
