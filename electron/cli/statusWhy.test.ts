import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { computeStats } from '../api/handlers/overview.ts';
import { createTestContext } from '../api/testing/apiTestContext.ts';
import { openStore } from '../store/open.ts';
import type { NewJob } from '../store/store.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';
import { waitingLine } from './waitingLine.ts';
import { CLI_WORDS } from './words.ts';

const REGISTRY = ['services:', '  - name: payments', '    execution_type: noop', '  - name: reports', '    execution_type: noop', ''].join('\n');

/** The runbook's incident: the only worker lost, and the breaker of payments open. */
const WHY = 'due jobs wait: no worker is running (1 lost); the circuit breaker of payments holds its jobs (4 pending) (opsdeck health-check dispatch says what lifts each)';

let dir: string;
let registry: string;
let pg: TestDatabase | null = null;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-status-why-'));
  registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
});
after(async () => {
  await pg?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A worker's heartbeat a minute old: lost, as ten seconds of silence make it, without waiting for them. */
async function silence(dialect: 'sqlite' | 'postgres', location: string): Promise<void> {
  if (dialect === 'postgres') {
    await withClient(location, (c) => c.query(`UPDATE tb_worker SET last_heartbeat_at = now() - interval '1 minute'`));
    return;
  }
  const file = new Database(location);
  try {
    file.prepare('UPDATE tb_worker SET last_heartbeat_at = ?').run(new Date(Date.now() - 60_000).toISOString());
  } finally {
    file.close();
  }
}

function job(service: string, runAt?: string): NewJob {
  return { queue: 'default', service_name: service, execution_type: 'noop', max_attempts: 1, ...(runAt === undefined ? {} : { run_at: runAt }) };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`opsdeck status with due jobs waiting (${dialect})`, () => {
    it('says under the oldest due job why due jobs wait, in the dispatch check\'s causes, once they waited past a minute', async () => {
      let location = join(dir, 'status.db');
      if (dialect === 'postgres') {
        pg = await createTestDatabase();
        location = pg.url;
      }
      const common = ['--db', location, '--registry', registry];
      ok(await opsdeck(['migrate', ...common]));
      const store = await openStore(location);
      try {
        await store.enqueue([job('reports')]);
        await store.registerWorker({ id: 'w-1', host: 'a', pid: 1, version: 'test', concurrency: 4, queues: null });
        await silence(dialect, location);
        const fresh = ok(await opsdeck(['status', ...common]));
        assert.match(fresh, /oldest due job waiting \S+\n(?!due jobs wait)/, `a job due a moment ago is no incident yet:\n${fresh}`);

        const fiveMinutesAgo = new Date(Date.now() - 300_000).toISOString();
        await store.enqueue([job('reports', fiveMinutesAgo), ...Array.from({ length: 4 }, () => job('payments', fiveMinutesAgo))]);
        const opened = new Date(Date.now() - 120_000).toISOString();
        assert.equal(await store.saveBreaker({ ...newBreakerRecord('payments', new Date()), state: 'open', opened_at: opened, left_closed_at: opened, last_transition_at: opened, version: 1 }, null), true);
      } finally {
        await store.close();
      }
      const status = ok(await opsdeck(['status', ...common]));
      assert.match(status, new RegExp(`; oldest due job waiting 5m.*\\n${WHY.replace(/[()]/g, '\\$&')}\\n`), 'the line under the figure');
      const dispatch = await opsdeck(['health-check', 'dispatch', ...common]);
      assert.equal(dispatch.code, 1);
      assert.match(dispatch.stdout, /no worker is running to take queue default \(6 due\).*of the due jobs, 4 held by the circuit breaker of payments/, 'the same causes, each with what lifts it');
    });
  });
}

describe('opsdeck status when why due jobs wait cannot be read', () => {
  it('says so on its line, with the error, instead of failing the whole command', async () => {
    const t = await createTestContext(REGISTRY);
    try {
      await t.store.enqueue([job('reports')]);
      const stats = await computeStats(t.store);
      // The store goes away between status's figures and this line: the figures stand.
      await t.store.close();
      const line = await waitingLine({ ...t.ctx, words: CLI_WORDS }, stats);
      assert.match(line ?? '', /^due jobs wait: cannot tell why: .*closed.* \(opsdeck health-check dispatch may\)$/);
    } finally {
      await t.cleanup();
    }
  });
});
