import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { RegistryHolder } from '../config/holder.ts';
import { AlertEvaluator } from '../engine/alertEvaluator.ts';
import { silentLogger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const LOCAL_TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?(?:Z|[+-]\d\d:\d\d)`;

/** A whole line of `text`, where TIME stands for a time as the CLI writes it (a time inside a sentence keeps its milliseconds). */
function line(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('TIME', LOCAL_TIME)}$`, 'm');
}

/**
 * A half-open breaker no job has come to probe: its breaker_open alert fires on (the service has not proved
 * healthy), and the alert and `breaker list` both say since when, what it waits for and how to check by hand.
 */
describe('a half-open breaker with no job to probe it', () => {
  let dir: string;
  let db: string;
  let registry: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-half-open-'));
    db = join(dir, 'opsdeck.db');
    registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: model_api',
        '    execution_type: http',
        // Its jobs POST (the default): the check by hand never sends that, so it cannot pass for them.
        '    runner_config: { base_url: "http://127.0.0.1:1" }',
        '  - name: nightly',
        '    execution_type: noop',
        'alerts:',
        '  - name: outage',
        '    kind: breaker_open',
        '    older_than: 5m',
        '',
      ].join('\n'),
    );
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('the alert fires and, like breaker list, says since when it waits for a job to probe it and the command that checks the service by hand', async () => {
    const leftClosed = new Date(Date.now() - 10 * 60_000).toISOString();
    const halfOpen = new Date(Date.now() - 3 * 60_000).toISOString();
    const store = await openStore(db);
    try {
      const record = { ...newBreakerRecord('model_api', new Date()), state: 'half_open' as const, opened_at: leftClosed, left_closed_at: leftClosed, last_transition_at: halfOpen, version: 1 };
      assert.equal(await store.saveBreaker(record, { from: 'closed', to: 'open', reason: 'upstream returned 503' }), true);
      const holder = new RegistryHolder({});
      assert.ok((await holder.loadFile(registry)).ok);
      const evaluator = new AlertEvaluator({ store, registry: holder, owner: 'test', env: {}, log: silentLogger });
      const fired = await evaluator.runOnce();
      await evaluator.stop();
      assert.deepEqual(fired?.map((t) => [t.rule, t.status]), [['outage', 'firing']], 'not healthy yet: it fires as before');
    } finally {
      await store.close();
    }
    const common = ['--db', db, '--registry', registry];
    const words = (since: string) =>
      `half-open since ${since}, waiting for a job of model_api to probe it: check it by hand with opsdeck test-connectivity model_api, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, opsdeck breaker reset model_api closes it`;

    const alerts = await opsdeck(['alerts', ...common]);
    assert.equal(alerts.code, 1, alerts.stderr);
    const advice = "check it by hand with opsdeck test-connectivity model_api, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, opsdeck breaker reset model_api closes it";
    assert.match(alerts.stdout, line(`outage: breaker open: model_api for 10m (half-open since TIME, waiting for a job of model_api to probe it). For model_api: ${advice}`), 'the table cuts it: said whole below');

    const list = ok(await opsdeck(['breaker', 'list', ...common]));
    assert.match(list, line(`model_api: ${words('TIME')}`));
    assert.doesNotMatch(list, /^nightly:/m, 'a closed breaker waits for nothing');
    const json = z.object({ breakers: z.array(z.object({ service_name: z.string(), probes_in_flight: z.number(), waiting_for_probe: z.string().nullable() })) });
    const views = json.parse(JSON.parse(ok(await opsdeck(['breaker', 'list', ...common, '--json'])))).breakers;
    assert.deepEqual(views.map((b) => [b.service_name, b.probes_in_flight, b.waiting_for_probe]), [['model_api', 0, words(halfOpen)], ['nightly', 0, null]]);

    // A probe under way: no longer waiting for one.
    const again = await openStore(db);
    try {
      const stored = await again.getBreaker('model_api');
      assert.ok(stored);
      assert.equal(await again.saveBreaker({ ...stored, probes_in_flight: 1, probe_started_at: new Date().toISOString(), version: stored.version + 1 }, null), true);
    } finally {
      await again.close();
    }
    assert.doesNotMatch(ok(await opsdeck(['breaker', 'list', ...common])), /waiting for a job/);
  });
});
