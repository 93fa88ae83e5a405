import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { StoreError } from './errors.ts';

export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

const ACCEPTED = 'a file path, sqlite:///abs/path.db, sqlite:relative/path.db, or postgres://user@host:5432/db';

/**
 * Reads where a store lives. SQLite paths come back absolute (relative ones against `cwd`);
 * PostgreSQL URLs come back untouched for the driver.
 */
export function parseLocation(location: string, cwd = process.cwd()): StoreLocation {
  const text = location.trim();
  if (text === '') throw new StoreError('bad_location', 'no database location given', `pass ${ACCEPTED}`);
  if (text === ':memory:') return { dialect: 'sqlite', path: ':memory:' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1];
  // One letter before the colon is a Windows drive (C:\data\opsdeck.db), not a scheme.
  if (scheme === undefined || scheme.length === 1) return { dialect: 'sqlite', path: absolute(text, cwd) };
  const lower = scheme.toLowerCase();
  if (lower === 'postgres' || lower === 'postgresql') {
    try {
      new URL(text);
    } catch {
      throw new StoreError('bad_location', `the PostgreSQL URL "${redactLocation(text)}" does not parse`, `write it as postgres://user@host:5432/db`);
    }
    return { dialect: 'postgres', url: text };
  }
  if (lower === 'sqlite') return { dialect: 'sqlite', path: sqlitePath(text.slice(scheme.length + 1), cwd) };
  throw new StoreError('bad_location', `unsupported database scheme "${scheme}:"`, `pass ${ACCEPTED}`);
}

/** The path of a sqlite: URL: sqlite:///abs, sqlite:/abs, sqlite://rel, sqlite:rel; %-escapes decoded. */
function sqlitePath(rest: string, cwd: string): string {
  const withoutQuery = rest.replace(/[?#].*$/, '');
  const path = withoutQuery.startsWith('//') ? withoutQuery.slice(2) : withoutQuery;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new StoreError('bad_location', `the SQLite URL "sqlite:${rest}" has a broken %-escape`, `pass ${ACCEPTED}`);
  }
  if (decoded === '' || decoded === '/') throw new StoreError('bad_location', `the SQLite URL "sqlite:${rest}" names no file`, `pass ${ACCEPTED}`);
  if (decoded === ':memory:') return decoded;
  return absolute(decoded, cwd);
}

function absolute(path: string, cwd: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/**
 * A connection URL's query parameters that carry a password: the driver reads `?password=` as the user
 * info's password, and `?sslpassword=` unlocks the client key.
 */
const QUERY_PASSWORD = /([?&](?:ssl)?password=)([^&#]*)/gi;

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The location with any password, in the user info or the query, replaced by `mask`, or left out when null. */
function withPasswords(location: string, mask: string | null): string {
  if (!URL_SCHEME.test(location)) return location;
  let parses = true;
  try {
    new URL(location);
  } catch {
    parses = false;
  }
  // The user info runs to the last @ before the host; in a URL that does not parse, which a password with
  // a / in it makes, to the last @ of all.
  const userInfo = parses ? /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#]*@/ : /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/?#@\s]*):\S*@/;
  const out = location.replace(userInfo, mask === null ? '$1@' : `$1:${mask}@`);
  if (mask !== null) return out.replace(QUERY_PASSWORD, (_, name: string) => `${name}${mask}`);
  return out.replace(/\?([^#]*)/, (_, query: string) => {
    const kept = query.split('&').filter((pair) => !/^(?:ssl)?password=/i.test(pair));
    return kept.length > 0 ? `?${kept.join('&')}` : '';
  });
}

/**
 * The location with any password replaced, in the user info or the query, safe to print or show: by the
 * marker every other redaction writes (config/secrets.ts), so health-check, diagnose and a support bundle
 * show a password alike.
 */
export function redactLocation(location: string): string {
  return withPasswords(location, '[redacted]');
}

/**
 * The location with every password left out, safe to keep on disk: the driver then takes the password
 * from PGPASSWORD or ~/.pgpass.
 */
export function locationWithoutPasswords(location: string): string {
  return withPasswords(location, null);
}

/**
 * Where the desktop app keeps its SQLite file unless told otherwise: OPSDECK_DB, else opsdeck.db in
 * the platform's per-user data directory.
 */
export function defaultDbLocation(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const fromEnv = env.OPSDECK_DB?.trim();
  if (fromEnv) return fromEnv;
  return join(userDataDir(env, platform, home), 'opsdeck.db');
}

/** The per-user data directory of opsdeck: its default store, the desktop's log files. */
export function userDataDir(env: Record<string, string | undefined>, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'opsdeck');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'opsdeck');
  const xdg = env.XDG_DATA_HOME?.trim();
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'opsdeck');
}

/**
 * The passwords of a URL, from its user info and from its query, as written and decoded (both may appear
 * in text), or nothing.
 */
export function urlPasswords(url: string): string[] {
  const written: string[] = [];
  let parsed: URL | null = null;
  try {
    parsed = new URL(url.trim());
  } catch {
    // As redactLocation reads one that does not parse: the user info's password runs up to the last @.
    const userInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:(\S+)@/i.exec(url.trim())?.[1];
    if (userInfo) written.push(userInfo);
  }
  if (parsed?.password) written.push(parsed.password);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim())) {
    for (const m of url.matchAll(QUERY_PASSWORD)) {
      if (!m[2]) continue;
      written.push(m[2]);
      // As the driver reads a query: a + is a space there.
      const read = new URLSearchParams(`p=${m[2]}`).get('p');
      if (read) written.push(read);
    }
  }
  const out = new Set<string>();
  for (const value of written) {
    out.add(value);
    try {
      out.add(decodeURIComponent(value));
    } catch {
      // A broken %-escape is kept as written only.
    }
  }
  return [...out];
}
