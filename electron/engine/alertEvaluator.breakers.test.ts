import http from 'node:http';
import { describe, test } from 'node:test';
import { z } from 'zod';
import assert from 'node:assert/strict';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { Registry } from '../../shared/registry.ts';
import { silentLogger } from '../log/logger.ts';
import { createRunners } from '../runners/registry.ts';
import { openStore } from '../store/open.ts';
import type { AlertTransition, Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { AlertEvaluator } from './alertEvaluator.ts';
import { Engine } from './engine.ts';
import { enqueueOne, httpServer, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * breaker_open against real breakers: an engine runs jobs of an upstream that answers 503 over real HTTP,
 * its breaker goes open → half_open → open while the upstream stays down, and the evaluator reads the
 * breakers from the store as the fleet's does.
 */

const RECOVERY_S = 1.5;
const service = {
  name: 'model_api',
  execution_type: 'http',
  retry_config: { max_retries: 0 },
  circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: RECOVERY_S, window: 60, half_open_probes: 1 },
};
const rules = [
  // Shorter than the recovery timeout: each half-open probe used to resolve it, and the reopening fire it again.
  { name: 'flap', kind: 'breaker_open', older_than: '1s' },
  // Longer than the recovery timeout: no single open stretch lasts that long, so it used to never fire.
  { name: 'outage', kind: 'breaker_open', older_than: '3s' },
];

async function outage(store: Store): Promise<void> {
  const upstream = { up: false };
  const api = await httpServer((_n, _req, res) => void res.writeHead(upstream.up ? 200 : 503).end(upstream.up ? 'ok' : 'down'));
  const tmp = await tempDir();
  const { holder } = await loadRegistry(tmp.dir, [{ ...service, runner_config: { base_url: api.url } }]);
  const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 2, leaseMs: 5000, pollMs: 20, env: {} });
  const registry = Registry.parse({ services: [{ name: 'model_api', execution_type: 'noop' }], alerts: rules });
  const evaluator = new AlertEvaluator({ store, registry: { registry }, owner: 'test', env: {}, log: silentLogger, intervalMs: 1000 });
  const seen: AlertTransition[] = [];
  const evaluate = async () => seen.push(...((await evaluator.runOnce()) ?? []));
  try {
    // Enough waiting jobs that every half-open breaker gets its probe at once.
    for (let i = 0; i < 40; i++) await enqueueOne(store, 'model_api', 'http', 1);
    await engine.start();
    await waitFor('the breaker to open', async () => (await store.getBreaker('model_api'))?.state === 'open');
    const down = Date.now();
    while (Date.now() - down < 4500) {
      await evaluate();
      await new Promise((r) => setTimeout(r, 50));
    }
    const reopened = (await store.listAudit({ action: 'breaker.transition' }, { limit: 50 })).items.filter((a) => a.details?.from === 'half_open' && a.details.to === 'open');
    assert.ok(reopened.length >= 2, `the breaker went open → half_open → open at least twice (${reopened.length})`);
    assert.deepEqual(seen.map((t) => [t.rule, t.status]).sort(), [['flap', 'firing'], ['outage', 'firing']], 'each rule fired once and stayed firing');
    const fired = seen.find((t) => t.rule === 'outage');
    assert.match(fired?.summary ?? '', /^breaker open: model_api for [34]s/, 'measured from when the breaker left closed');

    upstream.up = true;
    await waitFor('a probe to close the breaker', async () => (await store.getBreaker('model_api'))?.state === 'closed', 5000);
    seen.length = 0;
    await evaluate();
    assert.deepEqual(seen.map((t) => [t.rule, t.status]).sort(), [['flap', 'resolved'], ['outage', 'resolved']], 'closed again: resolved');
    const states = await store.listAlertStates();
    assert.deepEqual(states.map((s) => [s.rule, s.firing]).sort(), [['flap', false], ['outage', false]]);
    const history = (await store.listAlertEvents({ rule: 'flap' }, { limit: 20 })).items.map((e) => e.kind);
    assert.deepEqual(history, ['resolved', 'firing'], 'one firing, one resolution: no flapping in the history');
  } finally {
    await evaluator.stop();
    await engine.stop({ graceMs: 0 });
    await api.close();
    await tmp.cleanup();
  }
}

/** A real webhook receiver on 127.0.0.1, keeping each body it is sent. */
async function receiver(): Promise<{ url: string; bodies: unknown[]; close: () => Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no TCP address');
  return { url: `http://127.0.0.1:${address.port}/hook`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A half-open breaker of a service the registry then drops: firing while the service is there, resolved once
 * it is gone. Its advice is kept as facts beside the summary; the webhook, read outside the console, has it in
 * the CLI's words.
 */
async function serviceGone(store: Store): Promise<void> {
  const leftClosed = new Date(Date.now() - 10 * 60_000).toISOString();
  const reopened = new Date(Date.now() - 20_000).toISOString();
  const record = { ...newBreakerRecord('old_api', new Date()), state: 'half_open' as const, opened_at: reopened, left_closed_at: leftClosed, last_transition_at: reopened, version: 1 };
  assert.equal(await store.saveBreaker(record, { from: 'closed', to: 'open', reason: 'test' }), true);
  const hook = await receiver();
  const alerts = [{ name: 'breaker', kind: 'breaker_open', older_than: '5m', channels: [{ type: 'webhook', url_env_var: 'HOOK' }] }];
  const source = { registry: Registry.parse({ services: [{ name: 'model_api', execution_type: 'noop' }, { name: 'old_api', execution_type: 'noop' }], alerts }) };
  const evaluator = new AlertEvaluator({ store, registry: source, owner: 'test', env: { HOOK: hook.url }, log: silentLogger });
  try {
    const fired = await evaluator.runOnce();
    const measured = `breaker open: old_api for 10m (half-open since ${reopened}, waiting for a job of old_api to probe it)`;
    assert.deepEqual(fired?.map((t) => [t.status, t.summary, t.advice]), [['firing', measured, [{ service: 'old_api', kind: 'noop' }]]]);
    const [state] = await store.listAlertStates();
    assert.deepEqual([state?.summary, state?.advice], [measured, [{ service: 'old_api', kind: 'noop' }]], 'kept as facts, worded when read');
    source.registry = Registry.parse({ services: [{ name: 'model_api', execution_type: 'noop' }], alerts });
    const resolved = await evaluator.runOnce();
    assert.deepEqual(resolved?.map((t) => [t.status, t.summary, t.advice]), [['resolved', 'no breaker is open', []]], 'a service the registry dropped is never probed again');
    await evaluator.stop();
    const cli = 'For old_api: check it by hand with opsdeck health-check runner:noop, and once it passes, opsdeck breaker reset old_api closes it';
    assert.deepEqual(
      hook.bodies.map((b) => z.object({ status: z.string(), summary: z.string() }).parse(b)),
      [{ status: 'firing', summary: `${measured}. ${cli}` }, { status: 'resolved', summary: 'no breaker is open' }],
    );
  } finally {
    await evaluator.stop();
    await hook.close();
  }
}

async function onEach(check: (store: Store) => Promise<void>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'sqlite') {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      await check(store);
    } finally {
      await cleanup();
    }
    return;
  }
  const db = await createTestDatabase({ migrated: true });
  const store = await openStore(db.url);
  try {
    await check(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`breaker_open on ${dialect}`, () => {
    test('open → half_open → open of real breakers is one outage, however short the recovery timeout; resolved when the breaker closes', () => onEach(outage, dialect));
    test('a breaker of a service the registry no longer has resolves', () => onEach(serviceGone, dialect));
  });
}
