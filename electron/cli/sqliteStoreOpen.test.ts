import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteFileBehind } from '../store/testing/sqliteFileBehind.ts';
import { ok, opsdeck, type Run } from './testing/opsdeck.ts';

/** The file's bytes and what its schema lists: what a refused command must leave as it found. */
function footprint(path: string): { sha: string; objects: string[]; journal: unknown } {
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  const db = new Database(path, { readonly: true });
  try {
    return { sha, objects: db.prepare<[], string>(`SELECT type || ' ' || name FROM sqlite_master ORDER BY 1`).pluck().all(), journal: db.pragma('journal_mode', { simple: true }) };
  } finally {
    db.close();
  }
}

/** A refusal in one line on stderr, as the CLI prints a store error: never a stack trace. */
function refusedInOneLine(run: Run, what: string): void {
  assert.equal(run.code, 1, `${what}: ${run.stdout}${run.stderr}`);
  assert.match(run.stderr, /^opsdeck: /, what);
  assert.doesNotMatch(run.stderr, /\n\s+at /, what);
  assert.doesNotMatch(run.stderr, /unexpectedly/, what);
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A command pointed at an SQLite file opens it as PostgreSQL's are opened: one that only reads or controls a
 * store never creates, migrates or otherwise changes one (a file behind this opsdeck may be an older
 * opsdeck's, still running), and no command writes opsdeck's tables into another program's database.
 */
describe('opening an SQLite store from the CLI', () => {
  let dir: string;
  let registry: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-sqliteopen-'));
    registry = join(dir, 'registry.yaml');
    writeFileSync(registry, 'services:\n  - name: greeter\n    execution_type: noop\n');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a file an earlier opsdeck migrated: read and control commands say how far behind it is and to run opsdeck migrate, and change nothing', { timeout: 120_000 }, async () => {
    const { path, total, done } = await sqliteFileBehind(3);
    const upTo = total - 3;
    try {
      const before = footprint(path);
      const behind = new RegExp(`the store at ${escaped(path)} is 3 migration\\(s\\) behind this opsdeck \\(${upTo} applied of ${total}\\), which a command that only reads or controls a store does not apply; stop the workers that use it and run opsdeck migrate with this --db`);
      for (const args of [['status'], ['jobs'], ['dlq', 'list'], ['workers'], ['emergency-stop', '--reason', 'drill'], ['diagnose']]) {
        const run = await opsdeck([...args, '--db', path]);
        assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.match(run.stdout + run.stderr, behind, args.join(' '));
        assert.doesNotMatch(run.stderr, /unexpectedly|\n\s+at /, args.join(' '));
      }
      const health = await opsdeck(['health-check', '--db', path]);
      assert.equal(health.code, 1, health.stderr);
      assert.match(health.stdout, new RegExp(`store\\s+FAIL\\s+${behind.source}`));
      assert.match(health.stdout, new RegExp(`migrations\\s+FAIL\\s+${upTo} applied, 3 pending: run opsdeck migrate`));
      for (const check of ['workers', 'dispatch', 'breakers', 'workflows', 'scheduler', 'alerts']) {
        assert.match(health.stdout, new RegExp(`${check}\\s+FAIL\\s+skipped: the store's schema is 3 migration\\(s\\) behind this opsdeck \\(run opsdeck migrate\\)`), check);
      }
      assert.doesNotMatch(health.stdout, /does not answer/);
      const watchdog = await opsdeck(['health-check', 'worker:WATCHDOG', '--db', path]);
      assert.equal(watchdog.code, 1, watchdog.stderr);
      assert.match(watchdog.stdout, /worker:WATCHDOG\s+FAIL\s+skipped: the store's schema is 3 migration\(s\) behind/);
      assert.deepEqual(footprint(path), before, 'no command migrated or wrote the file');
      // What the message says to do does it; then the same commands answer.
      assert.match(ok(await opsdeck(['migrate', '--db', path])), new RegExp(`${total} migration\\(s\\) applied, schema current`));
      ok(await opsdeck(['status', '--db', path]));
    } finally {
      await done();
    }
  });

  it('a missing or empty file, or an SQLite file with nothing in it, is no store to a read command and stays as it was; a command that starts a store makes one there', { timeout: 90_000 }, async () => {
    // A fresh machine: the default store is not there yet.
    const data = join(dir, 'fresh');
    const fallback = join(data, 'opsdeck', 'opsdeck.db');
    const fresh = await opsdeck(['status'], { XDG_DATA_HOME: data, HOME: dir });
    refusedInOneLine(fresh, 'status on a fresh machine');
    assert.match(fresh.stderr, new RegExp(`there is no opsdeck store at ${escaped(fallback)}: the file does not exist; check the path \\(--db, OPSDECK_DB\\); a worker, serve, enqueue or opsdeck migrate creates a new store`));
    assert.equal(existsSync(fallback), false);

    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const blank = join(dir, 'blank.db');
    const made = new Database(blank);
    made.pragma('user_version = 7');
    made.close();
    const blankBefore = footprint(blank);
    for (const args of [['status'], ['dlq', 'list'], ['health-check', 'store']]) {
      const onEmpty = await opsdeck([...args, '--db', empty]);
      assert.equal(onEmpty.code, 1, `${args.join(' ')}: ${onEmpty.stdout}${onEmpty.stderr}`);
      assert.match(onEmpty.stdout + onEmpty.stderr, new RegExp(`there is no opsdeck store at ${escaped(empty)}: the file is empty; check the path`), args.join(' '));
      const onBlank = await opsdeck([...args, '--db', blank]);
      assert.equal(onBlank.code, 1, `${args.join(' ')}: ${onBlank.stdout}${onBlank.stderr}`);
      assert.match(onBlank.stdout + onBlank.stderr, new RegExp(`there is no opsdeck store at ${escaped(blank)}: it has no opsdeck_migrations table; check the path`), args.join(' '));
    }
    assert.equal(statSync(empty).size, 0, 'the empty file is still empty');
    assert.deepEqual(footprint(blank), blankBefore);
    // What starts a store still makes one in either.
    ok(await opsdeck(['enqueue', 'greeter', '--registry', registry, '--db', empty]));
    ok(await opsdeck(['migrate', '--db', blank]));
    assert.match(ok(await opsdeck(['status', '--db', empty])), /pending 1/);
    ok(await opsdeck(['status', '--db', blank]));
  });

  it("another program's SQLite database is refused by every command, a worker and migrate too, naming what it holds, and left as it was", { timeout: 120_000 }, async () => {
    const app = join(dir, 'app.db');
    const other = new Database(app);
    other.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE TABLE customers (id INTEGER PRIMARY KEY); CREATE VIEW big_orders AS SELECT * FROM orders;`);
    other.close();
    // Nothing but a view (a database of views over attached ones): still not opsdeck's.
    const views = join(dir, 'views.db');
    const viewsOnly = new Database(views);
    viewsOnly.exec(`CREATE VIEW answer AS SELECT 42 AS n`);
    viewsOnly.close();
    const before = { app: footprint(app), views: footprint(views) };
    const commands = [['status'], ['health-check'], ['migrate'], ['enqueue', 'greeter', '--registry', registry], ['worker', '--until-empty', '--registry', registry], ['api-key', 'create', '--name', 'ci', '--scope', 'read']];
    for (const args of commands) {
      const run = await opsdeck([...args, '--db', app]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, new RegExp(`${escaped(app)} is an SQLite database of another program, not an opsdeck store: it holds 3 table\\(s\\) or view\\(s\\) \\(big_orders, customers, orders\\) and no opsdeck_migrations table; opsdeck writes nothing there`), args.join(' '));
      const onViews = await opsdeck([...args, '--db', views]);
      assert.equal(onViews.code, 1, `${args.join(' ')}: ${onViews.stdout}${onViews.stderr}`);
      assert.match(onViews.stdout + onViews.stderr, /it holds 1 table\(s\) or view\(s\) \(answer\) and no opsdeck_migrations table/, args.join(' '));
    }
    assert.deepEqual({ app: footprint(app), views: footprint(views) }, before, 'no table added, not switched to WAL');
  });

  it('a file that is not an SQLite database is refused by every command in one line, and left as it was', { timeout: 90_000 }, async () => {
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'not a database\n');
    // SQLite's header and nothing of SQLite after it: only SQLite itself can tell ("file is not a database").
    const garbled = join(dir, 'garbled.db');
    writeFileSync(garbled, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 0xab)]));
    const before = [readFileSync(text), readFileSync(garbled)];
    for (const path of [text, garbled]) {
      for (const args of [['status'], ['migrate'], ['enqueue', 'greeter', '--registry', registry], ['worker', '--until-empty', '--registry', registry]]) {
        const run = await opsdeck([...args, '--db', path]);
        refusedInOneLine(run, `${args.join(' ')} on ${path}`);
        assert.match(run.stderr, new RegExp(`${escaped(path)} is not an SQLite database; point opsdeck at an opsdeck \\.db file`), args.join(' '));
      }
    }
    assert.deepEqual([readFileSync(text), readFileSync(garbled)], before);
  });
});
