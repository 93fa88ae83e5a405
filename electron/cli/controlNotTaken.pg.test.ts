import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/** A port on this machine nothing listens on: a PostgreSQL server that is stopped. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no TCP address');
  return address.port;
}

const Status = z.object({ control: z.object({ emergency_stop: z.object({ engaged: z.boolean() }), safe_mode: z.object({ engaged: z.boolean() }), paused_queues: z.array(z.unknown()) }) });

/**
 * The drill's CLI: `opsdeck emergency-stop` while PostgreSQL did not answer printed only the store's error,
 * and after recovery the stop was off with jobs running. Each control command now says the change was NOT
 * made, what stands meanwhile, and the command to run again once the store answers.
 */
describe('control commands while the store does not answer', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    await db.drop();
  });

  it('say the emergency stop, its release, safe mode and a pause were NOT made, and how to ask again; nothing was', { timeout: 60_000 }, async () => {
    await db.allowConnections(false);
    const stop = await opsdeck(['emergency-stop', '--db', db.url, '--reason', 'drill']);
    assert.equal(stop.code, 1, stop.stderr);
    assert.match(stop.stderr, /^opsdeck: emergency stop NOT engaged: the store does not answer \(.*not accepting connections.*\), so nothing was stopped/);
    assert.ok(stop.stderr.includes(`Once the store answers, run opsdeck emergency-stop --db=${db.url} --reason=drill again.`), stop.stderr);
    assert.match(stop.stderr, /a worker that cannot reach the store either stops its running jobs by itself, about 20 s after its last lease extension went through/);

    const resume = await opsdeck(['resume', '--db', db.url]);
    assert.equal(resume.code, 1, resume.stderr);
    assert.match(resume.stderr, /^opsdeck: emergency stop NOT released: the store does not answer \(.*\), so nothing changed: if it was engaged, it still is\. Once the store answers, run opsdeck resume .*again\.\n$/);
    const safe = await opsdeck(['safe-mode', 'on', '--db', db.url]);
    assert.equal(safe.code, 1, safe.stderr);
    assert.match(safe.stderr, /^opsdeck: safe mode NOT turned on: the store does not answer .*run opsdeck safe-mode on --db=\S+ again\./);
    const pause = await opsdeck(['pause', 'emails', '--db', db.url, '--force']);
    assert.equal(pause.code, 1, pause.stderr);
    assert.match(pause.stderr, /^opsdeck: queue emails NOT paused: the store does not answer .*run opsdeck pause emails --db=\S+ --force again\./);

    await db.allowConnections(true);
    const { control } = Status.parse(JSON.parse(ok(await opsdeck(['status', '--db', db.url, '--json']))));
    assert.deepEqual([control.emergency_stop.engaged, control.safe_mode.engaged, control.paused_queues.length], [false, false, 0], 'none was made');
    // Asked again once the store answers, as the message says: it takes.
    assert.match(ok(await opsdeck(['emergency-stop', '--db', db.url, '--reason', 'drill'])), /^emergency stop engaged/);
  });

  it('says so in the words of a server that refuses connections, as a stopped PostgreSQL does', { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const stop = await opsdeck(['emergency-stop', '--db', `postgres://postgres@127.0.0.1:${port}/ops`]);
    assert.equal(stop.code, 1, stop.stderr);
    assert.match(stop.stderr, new RegExp(`^opsdeck: emergency stop NOT engaged: the store does not answer \\(cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}: connection refused; is the server running\\?\\), so nothing was stopped`));
  });
});
