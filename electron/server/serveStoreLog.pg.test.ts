import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

async function until(what: string, done: () => boolean, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(done(), `${what}; log:\n${log()}`);
}

/**
 * The drill's `opsdeck serve` logged nothing of losing or regaining its store, only "alerts: an evaluation
 * failed". With no console open (nothing else reads the store), it says each once: as the store stops
 * answering, with the error, and as it answers again, with how long it was away.
 */
describe('opsdeck serve through an outage of its store', () => {
  let db: TestDatabase;
  let dir: string;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-serve-outage-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>opsdeck</title>');
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs once that the store stopped answering (warn, with the error) and once that it answers again (info, with how long)', { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { runServe } from './electron/server/serve.ts'; await runServe(${JSON.stringify({ db: db.url, port: 0, staticDir: dir, execute: false })});`],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPSDECK_REGISTRY: '', OPSDECK_LOG_FORMAT: 'json' } },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise((resolveExit) => child.on('close', resolveExit));
    const lines = () => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string | number; msg: string; error?: string; away_ms?: number });
    const said = (text: string) => lines().filter((l) => l.msg.startsWith(text));
    try {
      await until('the console URL', () => /store: .*local execution: off/.test(stdout), 30_000, () => stdout + stderr);
      await db.allowConnections(false);
      await until('the outage logged', () => said('the store stopped answering').length > 0, 10_000, () => stderr);
      const down = said('the store stopped answering')[0];
      // Refused at its next connection, or cut on the one it held (closing the database ends its sessions, and
      // which the host meets first is a race): each is said in the store's words for it.
      assert.match(down?.error ?? '', new RegExp(`database "${db.name}" .*not accepting connections|lost the connection to PostgreSQL at |closed a connection to database "${db.name}"`));
      // Several probes later, still once.
      await new Promise((r) => setTimeout(r, 5000));
      await db.allowConnections(true);
      await until('the recovery logged', () => said('the store answers again').length > 0, 10_000, () => stderr);
      const up = said('the store answers again')[0];
      assert.match(up?.msg ?? '', /^the store answers again, after \d+s away$/);
      assert.ok((up?.away_ms ?? 0) >= 5000, JSON.stringify(up));
      assert.equal(said('the store stopped answering').length, 1, stderr);
      assert.deepEqual([down?.level, up?.level], ['warn', 'info']);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
