import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import { defaultDbLocation, locationWithoutPasswords, parseLocation, redactLocation, urlPasswords } from './location.ts';
import { openStore } from './open.ts';

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    assert.ok(error.hint.length > 0);
    return error;
  }
  assert.fail('expected the promise to reject');
}

function parseError(location: string): StoreError {
  try {
    parseLocation(location);
  } catch (error) {
    assert.ok(error instanceof StoreError);
    return error;
  }
  assert.fail(`expected ${location} to be refused`);
}

describe('parseLocation', () => {
  it('reads paths and sqlite: URLs as SQLite files, made absolute', () => {
    assert.deepEqual(parseLocation('/var/lib/opsdeck.db'), { dialect: 'sqlite', path: '/var/lib/opsdeck.db' });
    assert.deepEqual(parseLocation('data/ops.db', '/srv'), { dialect: 'sqlite', path: '/srv/data/ops.db' });
    assert.deepEqual(parseLocation('sqlite:///var/lib/opsdeck.db'), { dialect: 'sqlite', path: '/var/lib/opsdeck.db' });
    assert.deepEqual(parseLocation('sqlite:/var/lib/opsdeck.db'), { dialect: 'sqlite', path: '/var/lib/opsdeck.db' });
    assert.deepEqual(parseLocation('sqlite:data/ops.db', '/srv'), { dialect: 'sqlite', path: '/srv/data/ops.db' });
    assert.deepEqual(parseLocation('sqlite://data/ops.db', '/srv'), { dialect: 'sqlite', path: '/srv/data/ops.db' });
    assert.deepEqual(parseLocation('SQLITE:///tmp/my%20ops.db'), { dialect: 'sqlite', path: '/tmp/my ops.db' });
    assert.deepEqual(parseLocation(':memory:'), { dialect: 'sqlite', path: ':memory:' });
    assert.equal(parseLocation('C:\\data\\ops.db').dialect, 'sqlite');
  });

  it('passes postgres URLs through', () => {
    assert.deepEqual(parseLocation('postgres://ops:secret@db:5432/jobs'), { dialect: 'postgres', url: 'postgres://ops:secret@db:5432/jobs' });
    assert.deepEqual(parseLocation('postgresql://db/jobs'), { dialect: 'postgres', url: 'postgresql://db/jobs' });
  });

  it('refuses other schemes and empty input, naming the scheme and the accepted forms', () => {
    const mysql = parseError('mysql://root@localhost/jobs');
    assert.equal(mysql.code, 'bad_location');
    assert.match(mysql.message, /"mysql:"/);
    assert.match(mysql.message, /sqlite:/);
    assert.match(mysql.message, /postgres:\/\//);
    assert.equal(parseError('   ').code, 'bad_location');
    assert.equal(parseError('sqlite:').code, 'bad_location');
    assert.equal(parseError('sqlite:///%zz').code, 'bad_location');
  });

  it('redacts passwords for display', () => {
    assert.equal(redactLocation('postgres://ops:s3cret@db:5432/jobs'), 'postgres://ops:[redacted]@db:5432/jobs');
    assert.equal(redactLocation('postgres://db/jobs'), 'postgres://db/jobs');
    assert.equal(redactLocation('/var/lib/ops.db'), '/var/lib/ops.db');
    // A base64-style password with a / makes the URL unparsable; it must not be shown for all that.
    assert.equal(redactLocation('postgres://ops:Pa/ss9Secret@127.0.0.1:5432/jobs'), 'postgres://ops:[redacted]@127.0.0.1:5432/jobs');
    assert.throws(() => parseLocation('postgres://ops:Pa/ss9Secret@127.0.0.1:5432/jobs', '/'), (error: Error) => !error.message.includes('ss9Secret'));
  });

  it('redacts a password given in the query, which the driver reads as one', () => {
    assert.equal(redactLocation('postgres://ops@h/db?password=hunter2&sslmode=require'), 'postgres://ops@h/db?password=[redacted]&sslmode=require');
    assert.equal(redactLocation('postgres://ops:pw@h/db?sslmode=require&sslpassword=k3y'), 'postgres://ops:[redacted]@h/db?sslmode=require&sslpassword=[redacted]');
    assert.equal(redactLocation('/srv/password=plain.db'), '/srv/password=plain.db', 'a file path is no URL');
    assert.equal(redactLocation('postgres://ops:p@ss@h/db'), 'postgres://ops:[redacted]@h/db', 'a password with an @ in it goes whole');
  });

  it('leaves every password out of a location to keep, and nothing else', () => {
    assert.equal(locationWithoutPasswords('postgres://ops:s3cret@db:5432/jobs'), 'postgres://ops@db:5432/jobs');
    assert.equal(locationWithoutPasswords('postgres://ops:Pa/ss9Secret@127.0.0.1:5432/jobs'), 'postgres://ops@127.0.0.1:5432/jobs');
    assert.equal(locationWithoutPasswords('postgres://ops@h/db?password=x&sslmode=require'), 'postgres://ops@h/db?sslmode=require');
    assert.equal(locationWithoutPasswords('postgres://ops@h/db?sslmode=require&sslpassword=k&application_name=a'), 'postgres://ops@h/db?sslmode=require&application_name=a');
    assert.equal(locationWithoutPasswords('postgres://ops@h/db?password=x'), 'postgres://ops@h/db');
    assert.equal(locationWithoutPasswords('postgres://ops@h/db?password=x1x&sslpassword=k3y'), 'postgres://ops@h/db', 'one beside the other');
    assert.equal(locationWithoutPasswords('postgres://ops@h/db?password=a&password=b&sslmode=require'), 'postgres://ops@h/db?sslmode=require');
    assert.equal(locationWithoutPasswords('/home/a/opsdeck.db'), '/home/a/opsdeck.db');
  });

  it('names every password a URL carries, as written and as the driver reads it', () => {
    assert.deepEqual(urlPasswords('postgres://ops:p%40ss@h/db'), ['p%40ss', 'p@ss']);
    assert.deepEqual(urlPasswords('postgres://ops@h/db?password=a+b%21&sslpassword=k3y'), ['a+b%21', 'a+b!', 'a b!', 'k3y']);
    assert.deepEqual(urlPasswords('postgres://ops:Pa/ss9Secret@127.0.0.1:5432/jobs'), ['Pa/ss9Secret']);
    assert.deepEqual(urlPasswords('postgres://ops@h/db'), []);
    assert.deepEqual(urlPasswords('not a url'), []);
  });
});

describe('defaultDbLocation', () => {
  it('prefers OPSDECK_DB', () => {
    assert.equal(defaultDbLocation({ OPSDECK_DB: 'postgres://db/jobs' }, 'linux', '/home/a'), 'postgres://db/jobs');
  });

  it('uses the per-user data folder of each platform', () => {
    assert.equal(defaultDbLocation({}, 'linux', '/home/a'), '/home/a/.local/share/opsdeck/opsdeck.db');
    assert.equal(defaultDbLocation({ XDG_DATA_HOME: '/data/a' }, 'linux', '/home/a'), '/data/a/opsdeck/opsdeck.db');
    assert.equal(defaultDbLocation({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/a'), '/home/a/.local/share/opsdeck/opsdeck.db');
    assert.equal(defaultDbLocation({}, 'darwin', '/Users/a'), '/Users/a/Library/Application Support/opsdeck/opsdeck.db');
    assert.match(defaultDbLocation({ APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32', 'C:/Users/a'), /Roaming[\\/]opsdeck[\\/]opsdeck\.db$/);
  });
});

describe('openStore', () => {
  it('creates the folder of a new file and opens it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-open-'));
    try {
      const path = join(dir, 'nested', 'deeper', 'ops.db');
      const store = await openStore(`sqlite://${path}`);
      try {
        assert.equal(store.location, path);
        assert.equal((await store.migrationStatus()).current, true);
      } finally {
        await store.close();
      }
      assert.ok((await stat(path)).size > 0);
      const again = await openStore(path);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not SQLite, without touching it', async () => {
    const before = await readFile('/etc/hostname', 'utf8');
    const error = await storeError(openStore('/etc/hostname'));
    assert.equal(error.code, 'not_sqlite');
    assert.match(error.message, /\/etc\/hostname/);
    assert.equal(await readFile('/etc/hostname', 'utf8'), before);
  });

  it("refuses another program's SQLite database, leaving it untouched", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-open-'));
    try {
      const path = join(dir, 'other.db');
      const other = new Database(path);
      other.exec(`CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('x');`);
      other.close();
      const error = await storeError(openStore(path));
      assert.equal(error.code, 'not_opsdeck');
      assert.match(error.message, /another program, not an opsdeck store: it holds 1 table\(s\) or view\(s\) \(contacts\) and no opsdeck_migrations table/);
      const check = new Database(path, { readonly: true });
      try {
        assert.deepEqual(check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all(), ['contacts']);
        assert.equal(check.pragma('journal_mode', { simple: true }), 'delete', 'not switched to WAL');
      } finally {
        check.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens a new file another opsdeck process is creating at the same moment (only its empty migrations table so far)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-open-'));
    try {
      const path = join(dir, 'new.db');
      // What the other process has committed between making its migrations table and applying the first one.
      const other = new Database(path);
      other.exec(`CREATE TABLE opsdeck_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      other.close();
      const store = await openStore(path);
      try {
        assert.equal((await store.migrationStatus()).current, true);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens one new file from several processes started at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-open-'));
    try {
      const path = join(dir, 'together.db');
      const script = `import { openStore } from ${JSON.stringify(new URL('./open.ts', import.meta.url).href)}; const s = await openStore(${JSON.stringify(path)}); await s.close();`;
      const runs = await Promise.all(
        Array.from({ length: 4 }, () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('close', (code) => resolve({ code, stderr }));
          }),
        ),
      );
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-open-'));
    try {
      const error = await storeError(openStore(dir));
      assert.equal(error.code, 'not_sqlite');
      assert.ok(error.message.includes(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown scheme', async () => {
    const error = await storeError(openStore('redis://localhost:6379'));
    assert.equal(error.code, 'bad_location');
    assert.match(error.message, /redis:/);
  });

  it('a closed store says so', async () => {
    const store = await openStore(':memory:');
    await store.close();
    const error = await storeError(store.getControl());
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /closed/);
  });
});
