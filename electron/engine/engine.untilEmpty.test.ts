import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BreakerRecord } from '../../shared/domain.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { RegistryHolder } from '../config/holder.ts';
import type { NewJob, Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { twoPostgresStores, twoSqliteStores, type TwoStores } from '../store/testing/twoStores.ts';
import { Engine } from './engine.ts';
import { actor, loadRegistry, tempDir } from './testing/harness.ts';
import { startWorkflowRun } from './workflowStart.ts';

/** A breaker as a fleet leaves it: open since `ago` ms, first saved by another worker. */
function openSince(service: string, ago: number): BreakerRecord {
  const at = new Date(Date.now() - ago).toISOString();
  return { ...newBreakerRecord(service, new Date()), state: 'open', opened_at: at, left_closed_at: at, last_transition_at: at, version: 1 };
}

async function enqueue(store: Store, service: string, n: number, job: Partial<NewJob> = {}): Promise<number[]> {
  const results = await store.enqueue(Array.from({ length: n }, () => ({ queue: 'default', service_name: service, execution_type: 'noop' as const, max_attempts: 3, ...job })));
  return results.map((r) => r.id);
}

/** The upstream fails it, on its only attempt: as a probe, it opens the breaker again. */
const FAILS = { payload: { fail: true, fail_message: 'upstream still down' }, max_attempts: 1 };
/** It fails by its own fault (a bad payload), which says nothing of the upstream: as a probe, it frees its slot. */
const OWN_FAULT = { payload: { fail: true, fail_retryable: false, fail_message: 'invalid payload' }, priority: 10 };

function engineOn(store: Store, holder: RegistryHolder, concurrency = 4): Engine {
  return new Engine({ store, registry: holder, concurrency, pollMs: 20, maintenance: false, schedules: false });
}

async function timed(work: Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work;
  return performance.now() - t0;
}

async function statuses(store: Store, ids: number[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await store.getJob(id))?.status ?? 'missing'));
}

function untilEmptySuite(name: string, open: () => Promise<TwoStores>): void {
  describe(`a worker run until empty: ${name}`, () => {
    it('runs the jobs a rate limit held back from a claim once its window reopens: a short claim is no proof the queue is dry', async () => {
      const { first: store, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'limited', execution_type: 'noop', runner_config: { sleep_ms: 700 }, rate_limit: { limit: 2, per: '500ms' } }]);
        const ids = await enqueue(store, 'limited', 4);
        // A poll far longer than the run: the jobs after the window reopens are found by the claim made once the last result landed.
        engine = new Engine({ store, registry: holder, concurrency: 4, pollMs: 60_000, maintenance: false, schedules: false });
        await engine.runUntilEmpty();
        assert.deepEqual(await statuses(store, ids), ids.map(() => 'completed'));
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('runs a job another process added before its last result landed, however late that process says so', async () => {
      const { first: store, second: other, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 50 } }]);
        const ids = await enqueue(store, 'quick', 1);
        let late: number[] = [];
        const watched = storeWith(store, {
          settle: async (settlements) => {
            if (late.length === 0) {
              // A job of a queue this worker does not take first: on PostgreSQL the other process's signal
              // for the next one then waits out its quiet period, and arrives after the settle has landed.
              await enqueue(other, 'quick', 1, { queue: 'elsewhere' });
              late = await enqueue(other, 'quick', 1);
            }
            return store.settle(settlements);
          },
        });
        engine = new Engine({ store: watched, registry: holder, concurrency: 4, pollMs: 60_000, maintenance: false, schedules: false, queues: ['default'] });
        await engine.runUntilEmpty();
        assert.deepEqual(await statuses(store, [...ids, ...late]), ['completed', 'completed'], 'the job added before the worker found the queue empty ran');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('runs what a settle of its own made ready: a workflow task whose upstream it ran', async () => {
      const { first: store, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const file = path.join(tmp.dir, 'registry.yaml');
        await writeFile(file, JSON.stringify({
          services: [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }],
          workflows: [{ name: 'pair', tasks: [{ name: 'first', service: 'quick' }, { name: 'then', service: 'quick', depends_on: ['first'] }] }],
        }));
        const holder = new RegistryHolder({});
        assert.ok((await holder.loadFile(file)).ok);
        const { run_id: runId } = await startWorkflowRun(store, holder.registry, 'pair', {}, actor, 'pair-1');
        engine = new Engine({ store, registry: holder, concurrency: 4, pollMs: 60_000, maintenance: false, schedules: false });
        await engine.runUntilEmpty();
        const run = await store.getWorkflowRun(runId);
        assert.deepEqual(run?.tasks.map((t) => t.status), ['completed', 'completed'], "the task its upstream's settle made ready ran before the worker stopped");
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });
  });

  describe(`a worker run until empty, beside circuit breakers: ${name}`, () => {
    it('runs the jobs a probe lets through: it does not stop while the probe that closes the breaker is being recorded', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const breaker = { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 1, window: 60, half_open_probes: 1 };
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'fragile', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker }]);
        // Its recovery timeout passed while no worker ran: the worker moves it to half-open and probes.
        assert.equal(await operator.saveBreaker(openSince('fragile', 5000), null), true);
        const ids = await enqueue(operator, 'fragile', 5);
        // The save that closes the breaker after the probe succeeded is held until the worker has begun to
        // stop (or half a second has passed): what the worker decides meanwhile it decides on a breaker
        // still half-open with its one probe slot taken, as when that save is slow to land.
        let closing: Promise<void> | null = null;
        let draining!: () => void;
        const drained = new Promise<void>((resolve) => (draining = resolve));
        const watched = storeWith(store, {
          saveBreaker: async (record, transition) => {
            if (record.state === 'closed') {
              closing ??= Promise.race([drained, new Promise<void>((resolve) => setTimeout(resolve, 500))]);
              await closing;
            }
            return store.saveBreaker(record, transition);
          },
        });
        engine = engineOn(watched, holder);
        engine.on('worker', (w) => w.state === 'draining' && draining());
        await engine.runUntilEmpty();
        assert.ok(closing, 'the probe ran and closed the breaker');
        assert.equal((await store.getBreaker('fragile'))?.state, 'closed');
        assert.deepEqual(await statuses(store, ids), ids.map(() => 'completed'), 'the jobs the closed breaker lets through ran before the worker stopped');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('through recovery, it waits for a breaker that tripped to probe, and runs its jobs once the probe closes it', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      const engines: Engine[] = [];
      try {
        const breaker = { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 0.5, window: 60, half_open_probes: 1 };
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'blip', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker }]);
        assert.equal(await operator.saveBreaker(openSince('blip', 0), null), true);
        const ids = await enqueue(operator, 'blip', 4);
        // Without it, jobs behind a breaker still open are not runnable now: it stops beside them at once.
        // Had it waited for the recovery timeout, its next claim would have moved the breaker on and probed:
        // the breaker untouched and every job pending prove it did not, however slow the machine.
        const strict = engineOn(store, holder);
        engines.push(strict);
        await strict.runUntilEmpty();
        const untouched = await store.getBreaker('blip');
        assert.equal(untouched?.state, 'open', 'it did not wait for the recovery timeout');
        assert.equal(untouched?.version, 1);
        assert.deepEqual(await statuses(store, ids), ids.map(() => 'pending'));
        const patient = engineOn(store, holder);
        engines.push(patient);
        await patient.runUntilEmpty({ throughRecovery: true });
        assert.deepEqual(await statuses(store, ids), ids.map(() => 'completed'), 'the probe closed the breaker and the rest ran');
        assert.equal((await store.getBreaker('blip'))?.state, 'closed');
      } finally {
        await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
        await close();
        await tmp.cleanup();
      }
    });

    it('through recovery, it stops once a probe failed: the upstream still fails, and it does not wait for another', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        // A recovery timeout long enough that a loaded machine stopping late is not read as a second probe.
        const breaker = { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 1.5, window: 60, half_open_probes: 1 };
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'down', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker }]);
        assert.equal(await operator.saveBreaker(openSince('down', 0), null), true);
        const ids = await enqueue(operator, 'down', 4, FAILS);
        engine = engineOn(store, holder);
        // One recovery timeout and one probe, not one every recovery timeout until every job has failed.
        await engine.runUntilEmpty({ throughRecovery: true });
        const after = await statuses(store, ids);
        assert.deepEqual([after.filter((s) => s === 'failed').length, after.filter((s) => s === 'pending').length], [1, 3], 'one probe ran and failed; the rest wait');
        const stored = await store.getBreaker('down');
        assert.equal(stored?.state, 'open');
        assert.notEqual(stored?.opened_at, stored?.left_closed_at, 'opened again by the failed probe');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('a probe that failed by its own fault frees its slot: the next job probes, and the rest run', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const breaker = { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 1, window: 60, half_open_probes: 1 };
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'picky', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker }]);
        assert.equal(await operator.saveBreaker(openSince('picky', 5000), null), true);
        const [bad = 0] = await enqueue(operator, 'picky', 1, OWN_FAULT);
        const ids = await enqueue(operator, 'picky', 3);
        assert.notEqual(bad, 0);
        // Claims begun after the failed probe was recorded, which leave the service out (its one probe slot
        // taken), answer only once the save that frees the slot has landed and the worker has taken it in:
        // the gates moved while they were under way.
        let probing = false;
        let settled = false;
        let held = false;
        let slotFreed!: () => void;
        const freed = new Promise<void>((resolve) => (slotFreed = resolve));
        const watched = storeWith(store, {
          saveBreaker: async (record, transition) => {
            const landed = await store.saveBreaker(record, transition);
            if (record.probes_in_flight > 0) probing = true;
            else if (probing && record.state === 'half_open') slotFreed();
            return landed;
          },
          settle: async (settlements) => {
            const landed = await store.settle(settlements);
            if (landed.includes(bad)) settled = true;
            return landed;
          },
          claim: async (request) => {
            const after = settled;
            const claimed = await store.claim(request);
            if (after && request.excludeServices?.includes('picky')) {
              held = true;
              await freed;
              await new Promise((resolve) => setImmediate(resolve));
            }
            return claimed;
          },
        });
        // One at a time: no job claimed beside the probe, to be handed back and settled meanwhile.
        engine = engineOn(watched, holder, 1);
        await engine.runUntilEmpty();
        assert.equal(held, true, 'a claim was under way as the slot was freed');
        assert.equal((await store.getJob(bad))?.status, 'failed', 'the first probe failed by its own fault');
        assert.deepEqual(await statuses(store, ids), ids.map(() => 'completed'), 'the next probe closed the breaker and the rest ran');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('through recovery, it does not wait for what it cannot run: a breaker forced open, or one with no job due behind it', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const breaker = { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 60, window: 60, half_open_probes: 1 };
        const { holder } = await loadRegistry(tmp.dir, [
          { name: 'maintained', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker },
          { name: 'later', execution_type: 'noop', runner_config: { sleep_ms: 0 }, circuit_breaker: breaker },
        ]);
        await operator.setBreakerModeIfItChanges('maintained', 'force_open', actor, 'vendor maintenance');
        assert.equal(await operator.saveBreaker(openSince('later', 0), null), true);
        const held = await enqueue(operator, 'maintained', 2);
        const retry = await enqueue(operator, 'later', 1, { run_at: new Date(Date.now() + 3_600_000).toISOString() });
        engine = engineOn(store, holder);
        const ms = await timed(engine.runUntilEmpty({ throughRecovery: true }));
        // Half the recovery timeout: far from a slow machine's start, far from waiting it out.
        assert.ok(ms < 30_000, `stopped after ${Math.round(ms)} ms: it waited for the breakers' recovery`);
        assert.deepEqual(await statuses(store, [...held, ...retry]), ['pending', 'pending', 'pending']);
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });

    it('runs a job whose breaker an operator reset while its last claim was under way', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'vendor', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
        await operator.setBreakerModeIfItChanges('vendor', 'force_open', actor, 'vendor maintenance');
        const [id = 0] = await enqueue(operator, 'vendor', 1);
        let reset = false;
        // The worker's breakers have been read since the reset: what its claims take has changed.
        let heard!: () => void;
        const reread = new Promise<void>((resolve) => (heard = resolve));
        let armed = false;
        const watched = storeWith(store, {
          listBreakers: async () => {
            const records = await store.listBreakers();
            if (reset && records.some((r) => r.service_name === 'vendor' && r.mode === 'auto')) heard();
            return records;
          },
          claim: async (request) => {
            const claimed = await store.claim(request);
            if (armed && request.excludeServices?.includes('vendor')) {
              armed = false;
              await operator.setBreakerModeIfItChanges('vendor', 'reset', actor, 'vendor is back');
              reset = true;
              await reread;
              // The rest of that read (the tunings) and what the worker makes of it.
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return claimed;
          },
        });
        engine = engineOn(watched, holder);
        await engine.start();
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal((await store.getJob(id))?.status, 'pending', 'held by the breaker until then');
        armed = true;
        await engine.runUntilEmpty();
        assert.equal(reset, true, 'the reset came during a claim that left the service out');
        assert.equal((await store.getJob(id))?.status, 'completed');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });
  });
}

untilEmptySuite('SQLite', twoSqliteStores);
untilEmptySuite('PostgreSQL', twoPostgresStores);
