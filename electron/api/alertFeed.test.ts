import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../shared/registry.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { createAlertWatch } from './alertFeed.ts';

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
      const rule = (name: string, firing: boolean) => ({ rule: name, severity: 'warning' as const, firing, summary: `${name} ${firing}`, value: null });
      await store.recordAlertEvaluation([rule('loud', true)], new Date());
      const check = createAlertWatch();
      assert.deepEqual(await check(store, registry), [], 'what happened before the console looked is not announced');
      await store.recordAlertEvaluation([rule('loud', false), rule('hooked', true)], new Date());
      const changes = await check(store, registry);
      assert.deepEqual(changes.map((c) => [c.rule, c.status, c.desktop]), [['loud', 'resolved', true], ['hooked', 'firing', false]]);
      assert.deepEqual(await check(store, registry), [], 'each once');
      await store.silenceAlert('loud', new Date(Date.now() + 60_000), { user: 't', host: 'h' }, null);
      await store.recordAlertEvaluation([rule('loud', true), rule('hooked', true)], new Date());
      assert.deepEqual((await check(store, registry)).map((c) => [c.rule, c.desktop]), [['loud', false]], 'silenced: recorded, no notice');
    } finally {
      await cleanup();
    }
  });
});
