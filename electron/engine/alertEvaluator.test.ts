import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Registry } from '../../shared/registry.ts';
import { RetryConfig } from '../../shared/registry.ts';
import { listenLocal } from '../runners/testing/listen.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { openStore } from '../store/open.ts';
import { AlertEvaluator } from './alertEvaluator.ts';
import type { AlertEvaluatorOptions } from './alertEvaluator.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { waitFor } from './testing/harness.ts';
import { silentLogger } from '../log/logger.ts';
import { ScheduleConfig } from '../../shared/schedule.ts';
import { overdueSchedules } from './overdueSchedules.ts';
import { scheduleWrite } from './schedulePlans.ts';

/** A real webhook receiver on 127.0.0.1: answers 500 to the first `failFirst` POSTs of each path, then 200. */
async function receiver(failFirst = 0) {
  const bodies: Array<{ path: string; body: Record<string, unknown> }> = [];
  const tries = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (tries.get(path) ?? 0) + 1;
      tries.set(path, n);
      if (n <= failFirst) {
        res.writeHead(500).end('not now');
        return;
      }
      bodies.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  const port = await listenLocal(server);
  return { url: (path: string) => `http://127.0.0.1:${port}${path}`, bodies, tries, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const fast = { timeoutMs: 1000, attempts: 4, retry: RetryConfig.parse({ initial_backoff: 0.02, backoff_factor: 2, max_backoff: 0.1 }) };

function evaluator(store: Store, alerts: unknown[], env: Record<string, string>, extra: Partial<AlertEvaluatorOptions> = {}) {
  const registry = Registry.parse({ services: [{ name: 'api', execution_type: 'noop' }], alerts });
  return new AlertEvaluator({ store, registry: { registry }, owner: 'test-evaluator', env, log: silentLogger, delivery: fast, intervalMs: 200, ...extra });
}

const job = (extra = {}) => ({ queue: 'default', service_name: 'api', execution_type: 'noop' as const, max_attempts: 1, ...extra });

async function failJobs(store: Store, n: number): Promise<void> {
  await store.enqueue(Array.from({ length: n }, () => job()));
  const claimed = await store.claim({ workerId: 'w', limit: n, leaseMs: 60_000 });
  await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'failed' as const, outcome: 'failed' as const, error: { message: 'boom', error_class: 'x', fingerprint: 'f' } })));
}

const later = (ms: number) => new Date(Date.now() + ms);

describe('alert evaluator with a real webhook receiver', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  const env = () => ({ ALERT_HOOK: hook.url('/hook'), SLACK_HOOK: hook.url('/slack/T000/B000/secret') });
  const channels = [{ type: 'desktop' }, { type: 'webhook', url_env_var: 'ALERT_HOOK' }];

  before(async () => {
    hook = await receiver();
  });
  after(async () => {
    await hook.close();
  });

  /** Runs `arrange` to make the rule fire, `clear` to resolve it, and checks both reached the receiver. */
  async function firesAndResolves(
    alert: Record<string, unknown>,
    arrange: (store: Store) => Promise<void>,
    clear: (store: Store) => Promise<unknown>,
    extra: (store: Store) => Partial<AlertEvaluatorOptions> = () => ({}),
  ) {
    const { store, cleanup } = await createSqliteTestStore();
    const name = String(alert.name);
    try {
      const ev = evaluator(store, [{ channels, ...alert }], env(), extra(store));
      assert.deepEqual(await ev.runOnce(), [], 'quiet before');
      await arrange(store);
      const fired = await ev.runOnce();
      assert.deepEqual(fired?.map((t) => t.status), ['firing'], `${name} fires`);
      await waitFor(`${name}'s firing at the receiver`, () => hook.bodies.some((b) => b.body.rule === name && b.body.status === 'firing'));
      await waitFor(`${name}'s delivery recorded`, async () => (await store.listAlertEvents({ rule: name }, { limit: 10 })).items.some((e) => e.kind === 'delivered'));
      const cleared = await clear(store);
      const at = cleared instanceof Date ? cleared : new Date();
      const resolved = await ev.runOnce(at);
      assert.deepEqual(resolved?.map((t) => t.status), ['resolved'], `${name} resolves`);
      await waitFor(`${name}'s resolution at the receiver`, () => hook.bodies.some((b) => b.body.rule === name && b.body.status === 'resolved'));
      await ev.stop();
      const body = hook.bodies.find((b) => b.body.rule === name)?.body;
      assert.deepEqual(Object.keys(body ?? {}).sort(), ['at', 'kind', 'rule', 'severity', 'source', 'status', 'summary', 'value', 'version']);
      const kinds = (await store.listAlertEvents({ rule: name }, { limit: 10 })).items.map((e) => e.kind);
      assert.deepEqual(kinds, ['delivered', 'resolved', 'delivered', 'firing']);
    } finally {
      await cleanup();
    }
  }

  test('failure_rate', () =>
    firesAndResolves(
      { name: 'spike', kind: 'failure_rate', threshold: 0.5, window: '1m', min_volume: 3 },
      (store) => failJobs(store, 4),
      async () => later(3 * 60_000),
    ));

  test('dead_letters', () =>
    firesAndResolves(
      { name: 'dlq', kind: 'dead_letters', window: '1m', count: 1 },
      (store) => failJobs(store, 1),
      async () => later(3 * 60_000),
    ));

  test('oldest_due', () =>
    firesAndResolves(
      { name: 'backlog', kind: 'oldest_due', older_than: '10m' },
      async (store) => {
        await store.enqueue([job({ identifier: 'late', run_at: new Date(Date.now() - 20 * 60_000).toISOString() })]);
      },
      async (store) => {
        const late = await store.getJob('late');
        assert.ok(late);
        await store.cancelJob(late.id, { user: 't', host: 'h' }, null);
      },
    ));

  test('oldest_due of one queue: a later job of another queue keeps it neither firing nor from resolving', () =>
    firesAndResolves(
      { name: 'billing-backlog', kind: 'oldest_due', queue: 'billing', older_than: '10m' },
      async (store) => {
        const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
        await store.enqueue([job({ identifier: 'late', queue: 'billing', run_at: ago(20) }), job({ identifier: 'later-elsewhere', queue: 'reports', run_at: ago(60) })]);
      },
      async (store) => {
        const late = await store.getJob('late');
        assert.ok(late);
        await store.cancelJob(late.id, { user: 't', host: 'h' }, null);
      },
    ));

  test('breaker_open', () =>
    firesAndResolves(
      { name: 'breaker', kind: 'breaker_open', older_than: '5m' },
      async (store) => {
        const open = { ...newBreakerRecord('api', new Date()), state: 'open' as const, opened_at: new Date(Date.now() - 6 * 60_000).toISOString(), version: 1 };
        assert.equal(await store.saveBreaker(open, { from: 'closed', to: 'open', reason: 'test' }), true);
      },
      async (store) => {
        await store.setBreakerModeIfItChanges('api', 'reset', { user: 't', host: 'h' }, null);
      },
    ));

  test('worker_lost', () =>
    firesAndResolves(
      { name: 'lost', kind: 'worker_lost' },
      async (store) => {
        await store.registerWorker({ id: 'w1', host: 'h', pid: 1, version: '0', concurrency: 1, queues: null });
        await new Promise((r) => setTimeout(r, 120));
      },
      (store) => store.heartbeat('w1', { inFlight: 0, state: 'running' }),
      () => ({ lostAfterMs: 100 }),
    ));

  test('no_live_worker', () =>
    firesAndResolves(
      { name: 'nobody', kind: 'no_live_worker' },
      async (store) => {
        await store.enqueue([job()]);
      },
      (store) => store.registerWorker({ id: 'w1', host: 'h', pid: 1, version: '0', concurrency: 1, queues: null }),
    ));

  test('schedule_missed: a schedule no worker fired for over two minutes, read from the store; resolved once it is handled', async () => {
    const minutely = ScheduleConfig.parse({ name: 'nightly', service: 'api', cron: '* * * * *' });
    await firesAndResolves(
      { name: 'missed', kind: 'schedule_missed' },
      async (store) => {
        // Synced ten minutes ago by a worker that has not run since: its next fire is nine minutes past.
        await store.syncRegistrySchedules([scheduleWrite(minutely, new Date(Date.now() - 10 * 60_000))], { user: 'registry', host: 'test' });
      },
      (store) => store.setSchedulePaused('nightly', true, null, { user: 'alice', host: 'test' }, 'investigating'),
      (store) => ({ missedSchedules: (now) => overdueSchedules(store, now) }),
    );
  });

  test('a receiver that fails twice then accepts gets the alert, and the tries are recorded; a Slack body has text', async () => {
    const flaky = await receiver(2);
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const ev = evaluator(
        store,
        [{ name: 'spike', kind: 'failure_rate', threshold: 0.5, window: '1m', min_volume: 1, severity: 'critical', channels: [{ type: 'webhook', url_env_var: 'HOOK' }, { type: 'slack', url_env_var: 'SLACK' }] }],
        { HOOK: flaky.url('/hook'), SLACK: flaky.url('/slack/T0/B0/tok3n') },
      );
      await failJobs(store, 2);
      assert.deepEqual((await ev.runOnce())?.map((t) => t.status), ['firing']);
      await ev.stop();
      assert.equal(flaky.tries.get('/hook'), 3, 'two failures, then accepted');
      const slack = flaky.bodies.find((b) => b.path.startsWith('/slack'))?.body;
      assert.match(String(slack?.text), /\[critical\] spike firing: 2 of 2 attempts failed/);
      assert.ok(Array.isArray(slack?.blocks));
      const events = (await store.listAlertEvents({}, { limit: 10 })).items;
      const hookEvent = events.find((e) => e.channel === 'webhook:HOOK');
      assert.equal(hookEvent?.kind, 'delivered');
      assert.match(hookEvent?.summary ?? '', /after 3 tries/);
    } finally {
      await cleanup();
      await flaky.close();
    }
  });

  test("a rule's notices reach the receiver in order: a resolution waits for its firing's retries", async () => {
    const flaky = await receiver(1);
    const { store, cleanup } = await createSqliteTestStore();
    try {
      let missed: Array<{ schedule: string; due_at: string }> = [{ schedule: 'nightly', due_at: '2030-01-01T00:00:00.000Z' }];
      const slowRetry = { ...fast, retry: RetryConfig.parse({ initial_backoff: 0.3, backoff_factor: 2, max_backoff: 0.3 }) };
      const ev = evaluator(store, [{ name: 'missed', kind: 'schedule_missed', channels: [{ type: 'webhook', url_env_var: 'HOOK' }] }], { HOOK: flaky.url('/hook') }, {
        delivery: slowRetry,
        missedSchedules: async () => missed,
      });
      assert.deepEqual((await ev.runOnce())?.map((t) => t.status), ['firing']);
      missed = [];
      assert.deepEqual((await ev.runOnce())?.map((t) => t.status), ['resolved'], 'resolved while the firing waits to be sent again');
      await ev.stop();
      assert.deepEqual(flaky.bodies.map((b) => b.body.status), ['firing', 'resolved']);
    } finally {
      await cleanup();
      await flaky.close();
    }
  });

  test('a receiver that never accepts: the failure is recorded with the channel, never the URL', async () => {
    const down = await receiver(100);
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const ev = evaluator(store, [{ name: 'dlq', kind: 'dead_letters', window: '1m', channels: [{ type: 'slack', url_env_var: 'SLACK' }, { type: 'webhook', url_env_var: 'UNSET' }] }], {
        SLACK: down.url('/slack/T0/B0/tok3n'),
      });
      await failJobs(store, 1);
      await ev.runOnce();
      await ev.stop();
      assert.equal(down.tries.get('/slack/T0/B0/tok3n'), 4, 'every try used');
      const failed = (await store.listAlertEvents({}, { limit: 10 })).items.filter((e) => e.kind === 'delivery_failed');
      assert.deepEqual(failed.map((e) => e.channel).sort(), ['slack:SLACK', 'webhook:UNSET']);
      assert.ok(failed.every((e) => !e.summary.includes('tok3n')), 'the URL is not kept');
      assert.match(failed.find((e) => e.channel === 'webhook:UNSET')?.summary ?? '', /^firing not sent: the environment variable UNSET is not set/);
      assert.match(failed.find((e) => e.channel === 'slack:SLACK')?.summary ?? '', /^firing not delivered after 4 tries: HTTP 500/);
    } finally {
      await cleanup();
      await down.close();
    }
  });

  test('a process whose registry has no rules neither evaluates nor takes the evaluation over', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      await store.recordAlertEvaluation([{ rule: 'fleet-rule', severity: 'warning', firing: true, summary: 'from the fleet', value: 1 }], new Date());
      const bare = evaluator(store, [], {}, { owner: 'laptop' });
      assert.equal(await bare.runOnce(), null);
      const noServices = new AlertEvaluator({ store, registry: { registry: Registry.parse({ services: [], alerts: [{ name: 'x', kind: 'worker_lost' }] }) }, owner: 'laptop', env: {}, log: silentLogger });
      assert.equal(await noServices.runOnce(), null, 'a console with no registry of services does not evaluate either');
      assert.deepEqual((await store.listAlertStates()).map((s) => s.rule), ['fleet-rule'], "the fleet's state stays");
      const real = evaluator(store, [{ name: 'dlq', kind: 'dead_letters', window: '1m' }], {}, { owner: 'worker' });
      assert.deepEqual(await real.runOnce(), [], 'the lease was not taken by the bare one');
    } finally {
      await cleanup();
    }
  });

  test('rules written in the console are evaluated beside the registry\'s; the registry wins on a name', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const actor = { user: 't', host: 'h' };
      await store.saveAlertRule({ name: 'console-dlq', kind: 'dead_letters', window: '1m', count: 1, severity: 'warning', channels: [{ type: 'webhook', url_env_var: 'ALERT_HOOK' }] }, actor);
      await store.saveAlertRule({ name: 'dlq', kind: 'dead_letters', window: '1m', count: 100, severity: 'info', channels: [] }, actor);
      const ev = evaluator(store, [{ name: 'dlq', kind: 'dead_letters', window: '1m', count: 1, channels }], env());
      await failJobs(store, 1);
      const fired = await ev.runOnce();
      assert.deepEqual(fired?.map((t) => [t.rule, t.status]).sort(), [['console-dlq', 'firing'], ['dlq', 'firing']], "the registry's dlq (count 1) fires, not the console's (count 100)");
      await waitFor('the console rule at the receiver', () => hook.bodies.some((b) => b.body.rule === 'console-dlq'));
      await ev.stop();
    } finally {
      await cleanup();
    }
  });

  test('a silenced rule records its transition and calls nobody', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const before = hook.bodies.length;
      const ev = evaluator(store, [{ name: 'quiet', kind: 'dead_letters', window: '1m', channels }], env());
      await ev.runOnce();
      await store.silenceAlert('quiet', later(60_000), { user: 't', host: 'h' }, 'maintenance');
      await failJobs(store, 1);
      assert.deepEqual((await ev.runOnce())?.map((t) => [t.status, t.silenced]), [['firing', true]]);
      await ev.stop();
      assert.equal(hook.bodies.length, before);
    } finally {
      await cleanup();
    }
  });
});

describe('one alert evaluator per fleet on PostgreSQL', () => {
  test('a second process waits while the first evaluates, and takes over when it stops', async () => {
    const db = await createTestDatabase({ migrated: true });
    const a = await openStore(db.url);
    const b = await openStore(db.url);
    try {
      const alerts = [{ name: 'dlq', kind: 'dead_letters', window: '1m' }];
      const first = evaluator(a, alerts, {}, { owner: 'a', intervalMs: 150 });
      const second = evaluator(b, alerts, {}, { owner: 'b', intervalMs: 150 });
      assert.deepEqual(await first.runOnce(), []);
      assert.equal(await second.runOnce(), null, 'the first holds the lease');
      await failJobs(a, 1);
      assert.deepEqual((await first.runOnce())?.map((t) => t.status), ['firing'], 'one evaluation, one transition');
      assert.equal(await second.runOnce(), null);
      // The first stops renewing (it died): after its lease (three intervals) the second evaluates.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(await second.runOnce(), [], 'taken over; the rule still fires, no new transition');
      assert.equal(await first.runOnce(), null, 'and the first, back, finds it held');
      assert.equal((await b.listAlertStates())[0]?.firing, true);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
