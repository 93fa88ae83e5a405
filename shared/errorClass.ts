import { z } from 'zod';
import { closest } from './closestWord.ts';

/**
 * How an attempt failed, as the engine and runners name it. The well-known classes are listed for help
 * texts and the console's picker; runners add exact ones (`http_404`, `lambda_403`, `docker_500`), and a
 * filter may name a family of HTTP statuses as `http_4xx` or `http_5xx`, or `rate_limited` for every
 * rate-limit failure (see errorClassesOf).
 */
export const KNOWN_ERROR_CLASSES = [
  'resource_limit',
  'timeout',
  'allowlist',
  'http_4xx',
  'http_5xx',
  'rate_limited',
  'connection',
  'tls',
  'exit_code',
  'signal',
  'lost',
  'lease_unconfirmed',
  'settle_refused',
  'interrupted',
  'cancelled',
  'operator',
  'config',
  'payload',
  'runner',
  'throttled',
  'docker',
  'docker_unavailable',
  'image_pull',
  'function_not_found',
  'function_error',
  'function_crash',
  'noop',
] as const;

/**
 * Whether opsdeck writes this class, or a filter's family of them: a listing filtered by another finds
 * nothing, and the CLI says the class is the likelier mistake. Runners add exact statuses of their own
 * (`http_404`, `lambda_403`, `docker_500`).
 */
export function isKnownErrorClass(errorClass: string): boolean {
  return KNOWN_ERROR_CLASSES.some((known) => known === errorClass) || /^(http|lambda|docker)_\d{3}$|^http_[1-5]xx$/.test(errorClass);
}

/**
 * What an unknown class likely stands for: the known class within two edits of it, else the known classes
 * it begins (`resource` for resource_limit, `function` for the three function_ ones).
 */
function meantClasses(errorClass: string): string[] {
  const near = closest(errorClass, KNOWN_ERROR_CLASSES);
  if (near !== null) return [near];
  return KNOWN_ERROR_CLASSES.filter((known) => known.startsWith(`${errorClass}_`));
}

/** That a filter names a class opsdeck never writes, with the class it likely meant: each interface adds where the list is. */
export function unknownErrorClass(errorClass: string): string {
  const meant = meantClasses(errorClass);
  return `${errorClass} is no failure class opsdeck writes${meant.length > 0 ? ` (did you mean ${meant.join(' or ')}?)` : ''}`;
}

/** The classes a filter takes, as a refusal lists them. */
export const ERROR_CLASSES_TEXT = `${KNOWN_ERROR_CLASSES.join(', ')}, or an exact status such as http_503, lambda_403 or docker_500`;

export const ErrorClass = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'an error class is lower-case letters, digits and _ (e.g. resource_limit, http_503, http_5xx)');

/**
 * The exact classes a filter's class stands for: a family `http_4xx` is every status of that hundred.
 * `rate_limited` is also every HTTP 429: the runner names an upstream's "too many requests" `http_429`, and
 * `rate_limited` only when its Retry-After is longer than max_retry_after, yet an operator asking for the
 * rate-limited jobs means both.
 */
export function errorClassesOf(errorClass: string): string[] {
  if (errorClass === 'rate_limited') return ['rate_limited', 'http_429'];
  const family = /^http_([1-5])xx$/.exec(errorClass);
  if (!family) return [errorClass];
  const hundred = Number(family[1]) * 100;
  return Array.from({ length: 100 }, (_, i) => `http_${hundred + i}`);
}

/** Words of a failure's text that stand for a class of their own name. */
const CLASS_WORDS: Readonly<Record<string, string>> = {
  timed: 'timeout',
  connect: 'connection',
  refused: 'connection',
  memory: 'resource_limit',
  oom: 'resource_limit',
  ssl: 'tls',
  certificate: 'tls',
  exit: 'exit_code',
  killed: 'signal',
  throttle: 'throttled',
};

/**
 * The failure classes a search text's words name (`Connection timeout`: connection and timeout), for a
 * search that found nothing: an error's text seldom says its class's word (`timed out after 2s`), its class does.
 */
export function classesNamedIn(text: string): string[] {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
  const pairs = words.slice(1).map((w, i) => `${words[i]}_${w}`);
  const found = new Set<string>();
  for (const word of [...words, ...pairs]) {
    const single = word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word;
    const known = KNOWN_ERROR_CLASSES.find((c) => c === word || c === single) ?? CLASS_WORDS[single] ?? KNOWN_ERROR_CLASSES.find((c) => c.startsWith(`${single}_`) && single.length >= 4);
    if (known) found.add(known);
  }
  return [...found];
}
