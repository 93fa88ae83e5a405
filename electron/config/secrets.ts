import { isPair, isScalar, parseDocument, visit } from 'yaml';

/**
 * Redaction for anything that leaves the machine (support bundles, logs): the registry names secrets by
 * their environment variable, and those names may show; a value that looks like a secret never does.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /(token|secret|passw(or)?d|api[_-]?key|authorization|credential|cookie|private[_-]?key)/i;

/** A key whose value is a secret, as opposed to the NAME of the variable holding one (`token_env_var`). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/_env_var$/i.test(key) && !/^(auth_type|auth_config)$/i.test(key);
}

/**
 * The last words of a name that count or bound what its secret word names rather than hold one: `tokens`,
 * `max_tokens`, `tokenCount`, `token_ttl`, `password_length`. A plural counts; a word of measure measures.
 * Only the name's last word is read: a count is what the name ends by naming, so `password_number` and
 * `api_keys` (a key's value, plural or not) hold what they name. `num`/`number` name a value as well as
 * count one, and `keys` is the plural of the secret itself, so neither reads as a count.
 */
const COUNTED = new Set(['tokens', 'secrets', 'passwords', 'passwds', 'credentials', 'cookies']);
const MEASURES = new Set(['count', 'max', 'min', 'limit', 'total', 'used', 'remaining', 'ttl', 'length', 'len', 'size', 'expiry', 'expires', 'lifetime', 'age']);

function countsSecrets(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter((word) => word !== '');
  const last = words.at(-1) ?? '';
  return COUNTED.has(last) || MEASURES.has(last);
}

/**
 * Whether the value under a secret-named key may be a secret, and so is cut: a boolean holds none, nor does
 * a number under a name that counts or measures (`tokens: 5`, `max_tokens: 4096`). A number under a plain
 * secret name is cut (`password: 123456` is a PIN), as is any text. `number` is a number written as text too.
 */
export function hidesValue(key: string, value: string | number | boolean): boolean {
  if (!isSecretKey(key) || typeof value === 'boolean') return false;
  const number = typeof value === 'number' || /^\d{1,15}(?:\.\d{1,15})?$/.test(value);
  return !(number && countsSecrets(key));
}

/** Removes the password of `scheme://user:password@host` and of a URL's `?password=`. */
export function redactUrl(text: string): string {
  // Up to the first / only: further, an ordinary URL's port and path (host:5173/@vite) would go. A password
  // with a / in it is cut as the known value it is (urlPasswords in store/location.ts, the location's own redaction).
  // Every job's output passes here: text that holds no URL is most of it, and skips the expression.
  if (!text.includes('://')) return text;
  const out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):[^@\s/]*@/gi, `$1:${REDACTED}@`);
  // A connection URL may carry its password in the query instead, where the PostgreSQL driver reads it too.
  return out.includes('password=') ? out.replace(/([?&](?:ssl)?password=)[^&#\s"']*/gi, `$1${REDACTED}`) : out;
}

function redactString(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

/** Values of the variables a registry or runner names, long enough to be worth hiding everywhere. */
export function secretValues(env: Readonly<Record<string, string | undefined>>, names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.length >= 4) out.push(value);
  }
  return out;
}

/** A deep copy of a JSON-like value with secret-keyed values and known secret strings replaced. */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && hidesValue(k, v) ? REDACTED : redactValue(v, secrets);
    }
    return out;
  }
  return value;
}

function envVarNames(text: string): string[] {
  return [...text.matchAll(/_env_var\s*:\s*["']?([A-Za-z_][A-Za-z0-9_]*)/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/**
 * The registry text with comments and layout kept, secret-looking values replaced. When `env` is given,
 * the values of the variables the registry names are also replaced wherever they were pasted in.
 */
export function redactRegistryText(text: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  const secrets = secretValues(env, envVarNames(text));
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    // Unparseable: redact line by line so a broken file still goes into a bundle safely.
    return text
      .split('\n')
      .map((line) => {
        const m = /^(\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*:\s*)(.+)$/.exec(line);
        if (m?.[1] && m[2] && isSecretKey(m[2])) return `${m[1]}${REDACTED}`;
        return redactString(line, secrets);
      })
      .join('\n');
  }
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && isScalar(pair.value) && isSecretKey(String(pair.key.value))) {
        pair.value.value = REDACTED;
      }
    },
    Scalar(_, node) {
      if (typeof node.value === 'string') node.value = redactString(node.value, secrets);
    },
  });
  return doc.toString();
}
