import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Registry } from '../../shared/registry.ts';
import { openStore } from '../store/open.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { createAlertWatch } from './alertFeed.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

const rule = (name: string, firing: boolean) => ({ rule: name, severity: 'warning' as const, firing, summary: `${name} ${firing}`, value: null });

describe('alert transitions on the event feed', () => {
  test('announces transitions recorded after the first look, with whether the rule asks for a desktop notice', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const registry = Registry.parse({
        services: [],
        alerts: [
          { name: 'loud', kind: 'no_live_worker', channels: [{ type: 'desktop' }] },
          { name: 'hooked', kind: 'worker_lost', channels: [{ type: 'webhook', url_env_var: 'HOOK' }] },
        ],
      });
      await store.recordAlertEvaluation([rule('loud', true)], new Date());
      const check = createAlertWatch();
      assert.deepEqual(await check(store, registry, CONSOLE_WORDS), [], 'what happened before the console looked is not announced');
      await store.recordAlertEvaluation([rule('loud', false), rule('hooked', true)], new Date());
      const changes = await check(store, registry, CONSOLE_WORDS);
      assert.deepEqual(changes.map((c) => [c.rule, c.status, c.desktop]), [['loud', 'resolved', true], ['hooked', 'firing', false]]);
      assert.deepEqual(await check(store, registry, CONSOLE_WORDS), [], 'each once');
      await store.silenceAlert('loud', new Date(Date.now() + 60_000), { user: 't', host: 'h' }, null);
      await store.recordAlertEvaluation([rule('loud', true), rule('hooked', true)], new Date());
      assert.deepEqual((await check(store, registry, CONSOLE_WORDS)).map((c) => [c.rule, c.desktop]), [['loud', false]], 'silenced: recorded, no notice');
    } finally {
      await cleanup();
    }
  });

  test('a burst of transitions larger than a page of the history is announced whole', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const names = Array.from({ length: 120 }, (_, i) => `rule-${i}`);
      const registry = Registry.parse({ services: [], alerts: names.map((name) => ({ name, kind: 'no_live_worker', channels: [{ type: 'desktop' }] })) });
      const check = createAlertWatch();
      assert.deepEqual(await check(store, registry, CONSOLE_WORDS), []);
      await store.recordAlertEvaluation(names.map((name) => rule(name, true)), new Date());
      assert.equal((await check(store, registry, CONSOLE_WORDS)).length, 120);
    } finally {
      await cleanup();
    }
  });

  test('on PostgreSQL, a transition whose transaction commits after a later-numbered event is still announced', async () => {
    const db = await createTestDatabase({ migrated: true });
    const store = await openStore(db.url);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      const registry = Registry.parse({ services: [], alerts: [{ name: 'slow', kind: 'no_live_worker', channels: [{ type: 'desktop' }] }] });
      const check = createAlertWatch();
      assert.deepEqual(await check(store, registry, CONSOLE_WORDS), []);
      // The evaluation's transaction takes its id first and commits last, as a slow evaluation would.
      await other.query('BEGIN');
      await other.query(`INSERT INTO jobs.tb_alert_event (rule, kind, severity, summary) VALUES ('slow', 'firing', 'warning', 'slow fires')`);
      await store.recordAlertDelivery({ rule: 'earlier', severity: 'warning', ok: true, channel: 'webhook:HOOK', summary: 'firing delivered' });
      assert.deepEqual(await check(store, registry, CONSOLE_WORDS), [], 'the delivery is no transition');
      await other.query('COMMIT');
      assert.deepEqual((await check(store, registry, CONSOLE_WORDS)).map((c) => [c.rule, c.status, c.desktop]), [['slow', 'firing', true]]);
    } finally {
      await other.end();
      await store.close();
      await db.drop();
    }
  });
});
