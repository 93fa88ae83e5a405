import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Attempt, AuditEntry, BreakerRecord, ControlState, Job, WorkerInfo } from '../../../shared/domain.ts';
import type { Actor, ExecutionType } from '../../../shared/domain.ts';
import type { ClaimedJob, JobError, NewJob, Store, StoreSignal } from '../store.ts';

/**
 * The store contract: one suite that every dialect passes, so SQLite and PostgreSQL cannot drift.
 * `makeStore` gives a fresh, migrated, empty store per test; `openSecond` (optional) a second
 * connection or instance on the same database, for the claim race and cross-process signals.
 */
export interface ContractHandle {
  store: Store;
  cleanup(): Promise<void>;
  openSecond?: () => Promise<Store>;
}

const alice: Actor = { user: 'alice', host: 'laptop' };
const ALICE = 'alice@laptop';
const LEASE = 60_000;

function job(service: string, extra: Partial<NewJob> = {}): NewJob {
  return { queue: 'default', service_name: service, execution_type: 'noop', max_attempts: 3, ...extra };
}

function err(message: string, fingerprint = `fp-${message}`): JobError {
  return { message, error_class: 'TestError', fingerprint };
}

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function mustGet(store: Store, id: number | string): Promise<Job> {
  const found = await store.getJob(id);
  assert.ok(found, `job ${id} exists`);
  return Job.parse(found);
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `exactly one item, got ${items.length}`);
  const [first] = items;
  assert.ok(first !== undefined);
  return first;
}

/** Enqueues one job in a queue of its own and claims exactly it. */
async function claimOne(store: Store, extra: Partial<NewJob> = {}, workerId = 'w1', leaseMs = LEASE): Promise<ClaimedJob> {
  const queue = `q-${Math.random().toString(36).slice(2)}`;
  await store.enqueue([job(extra.service_name ?? 'svc', { ...extra, queue })]);
  return only(await store.claim({ workerId, limit: 5, leaseMs, queues: [queue] }));
}

function base(claimed: ClaimedJob, workerId = 'w1') {
  return { jobId: claimed.id, attemptId: claimed.attempt_id, workerId };
}

/** Puts one job into the dead-letter queue with the given error. */
async function deadLetter(store: Store, service: string, error: JobError, type: ExecutionType = 'noop'): Promise<number> {
  const claimed = await claimOne(store, { service_name: service, execution_type: type });
  assert.deepEqual(await store.settle([{ ...base(claimed), kind: 'failed', error, outcome: 'failed' }]), [claimed.id]);
  return claimed.id;
}

async function allJobIds(store: Store): Promise<number[]> {
  const ids: number[] = [];
  let after: string | null = null;
  do {
    const page = await store.listJobs({}, { limit: 100, after });
    ids.push(...page.items.map((j) => j.id));
    after = page.next_cursor;
  } while (after !== null);
  return ids;
}

async function auditActions(store: Store): Promise<AuditEntry[]> {
  const page = await store.listAudit({}, { limit: 500 });
  return page.items.map((entry) => AuditEntry.parse(entry));
}

function waitForSignal(store: Store, wanted: StoreSignal, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, timeoutMs);
    const off = store.subscribe((signal) => {
      if (signal !== wanted) return;
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });
}

export function runStoreContract(name: string, makeStore: () => Promise<ContractHandle>): void {
  const test = (title: string, body: (store: Store, handle: ContractHandle) => Promise<void>) =>
    it(title, async () => {
      const handle = await makeStore();
      try {
        await body(handle.store, handle);
      } finally {
        await handle.cleanup();
      }
    });

  describe(`store contract: ${name}`, () => {
    describe('enqueue', () => {
      test('creates a pending job with defaults, found by id and by identifier', async (store) => {
        const payload = { args: ['--fast'], nested: { n: 1, ok: true }, text: 'héllo 💥' };
        const [result] = await store.enqueue([job('billing', { payload, priority: 2 })]);
        assert.ok(result);
        assert.equal(result.created, true);
        assert.ok(result.identifier.startsWith('billing-'), `generated identifier ${result.identifier}`);
        const byId = await mustGet(store, result.id);
        assert.deepEqual(await mustGet(store, result.identifier), byId);
        assert.equal(byId.status, 'pending');
        assert.equal(byId.queue, 'default');
        assert.equal(byId.service_name, 'billing');
        assert.equal(byId.execution_type, 'noop');
        assert.deepEqual(byId.payload, payload);
        assert.equal(byId.priority, 2);
        assert.equal(byId.attempts, 0);
        assert.equal(byId.max_attempts, 3);
        assert.ok(Date.parse(byId.run_at) <= Date.now() + 1000);
        assert.ok(Math.abs(Date.parse(byId.created_at) - Date.now()) < 60_000);
        assert.equal(byId.lease_owner, null);
        assert.equal(byId.started_at, null);
        assert.equal(byId.completed_at, null);
        assert.equal(byId.error_message, null);
        assert.equal(byId.resolved_at, null);
        assert.equal(byId.cancel_requested, false);
        assert.equal(await store.getJob(987_654), null);
        assert.equal(await store.getJob('no-such-identifier'), null);
      });

      test('is idempotent by identifier, single and in bulk', async (store) => {
        const [first] = await store.enqueue([job('svc', { identifier: 'order-1' })]);
        const [again] = await store.enqueue([job('svc', { identifier: 'order-1', priority: 9 })]);
        assert.ok(first && again);
        assert.equal(again.created, false);
        assert.equal(again.id, first.id);
        assert.equal((await mustGet(store, first.id)).priority, 0, 'the existing job is not overwritten');
        const bulk = await store.enqueue([job('svc', { identifier: 'order-2' }), job('svc', { identifier: 'order-1' }), job('svc', { identifier: 'order-2' }), job('svc')]);
        assert.deepEqual(
          bulk.map((r) => [r.identifier, r.created]),
          [['order-2', true], ['order-1', false], ['order-2', false], [bulk[3]?.identifier, true]],
        );
        assert.equal(bulk[0]?.id, bulk[2]?.id);
        assert.equal(bulk[1]?.id, first.id);
        assert.equal((await allJobIds(store)).length, 3);
      });

      test('a mixed batch keeps its order and each job its own fields', async (store) => {
        const batch = [
          job('alpha', { payload: 'a1' }),
          job('beta', { queue: 'q2', execution_type: 'shell', priority: 5, payload: { b: 1 } }),
          job('beta', { queue: 'q2', execution_type: 'shell', priority: 5, payload: [true, null], run_at: '2031-05-05T00:00:00Z' }),
          job('alpha', { payload: 12.5, max_attempts: 7 }),
        ];
        const results = await store.enqueue(batch);
        assert.deepEqual(results.map((r) => r.created), [true, true, true, true]);
        const ids = results.map((r) => r.id);
        assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids rise in batch order');
        const stored = await Promise.all(ids.map((id) => mustGet(store, id)));
        assert.deepEqual(
          stored.map((j) => [j.service_name, j.queue, j.execution_type, j.priority, j.max_attempts, j.payload]),
          [['alpha', 'default', 'noop', 0, 3, 'a1'], ['beta', 'q2', 'shell', 5, 3, { b: 1 }], ['beta', 'q2', 'shell', 5, 3, [true, null]], ['alpha', 'default', 'noop', 0, 7, 12.5]],
        );
        assert.equal(Date.parse(stored[2]?.run_at ?? ''), Date.parse('2031-05-05T00:00:00Z'));
        assert.ok(Date.parse(stored[1]?.run_at ?? '') <= Date.now() + 1000);
        assert.equal(new Set(results.map((r) => r.identifier)).size, 4, 'generated identifiers are distinct');
      });

      test('each result of a bulk names the job made from that item, after jobs before it and between batches', async (store) => {
        await store.enqueue([job('svc', { identifier: 'before' })]);
        const first = await store.enqueue(Array.from({ length: 1500 }, (_, i) => job('bulk', { payload: { i } })));
        const second = await store.enqueue([...Array.from({ length: 300 }, (_, i) => job('bulk', { payload: { i: 1500 + i } })), job('svc', { identifier: 'before' })]);
        const results = [...first, ...second.slice(0, 300)];
        assert.ok(results.every((r) => r.created));
        assert.equal(new Set(results.map((r) => r.id)).size, 1800);
        const stored = await Promise.all(results.map((r) => mustGet(store, r.id)));
        assert.deepEqual(stored.map((j) => j.payload), Array.from({ length: 1800 }, (_, i) => ({ i })));
        assert.deepEqual(stored.map((j) => j.identifier), results.map((r) => r.identifier));
        assert.equal(second[300]?.created, false);
        assert.equal(second[300]?.id, (await mustGet(store, 'before')).id);
      });

      test("a bulk's payloads come back exactly as given, whatever their JSON", async (store) => {
        const containers = [
          { text: 'quote " backslash \\ newline \n tab \t', unicode: 'é ✓ 😀 \u2028', nested: { list: [1, -2.5, 1e21, null, false] } },
          [],
          {},
          ['a', { b: [] }],
          { big: 9007199254740991, tiny: 5e-324, empty: '' },
        ];
        const mixed = [{ a: 1 }, 'text', 12.5, null, true, 0, ['x']];
        for (const payloads of [containers, mixed]) {
          const results = await store.enqueue(payloads.map((payload) => job('bulk', { payload })));
          const stored = await Promise.all(results.map((r) => mustGet(store, r.id)));
          assert.deepEqual(stored.map((j) => j.payload), payloads);
        }
      });

      test('a bad row in a bulk leaves nothing behind', async (store) => {
        await assert.rejects(store.enqueue([job('svc', { identifier: 'a' }), job('svc', { run_at: 'not-a-date' }), job('svc', { identifier: 'c' })]));
        assert.deepEqual(await allJobIds(store), []);
        const ok = await store.enqueue([job('svc', { identifier: 'a' }), job('svc', { identifier: 'c' })]);
        assert.deepEqual(ok.map((r) => r.created), [true, true]);
      });

      test('run_at with an offset is stored as the same instant', async (store) => {
        const [r] = await store.enqueue([job('svc', { run_at: '2030-01-01T02:00:00+02:00' })]);
        assert.ok(r);
        const stored = await mustGet(store, r.id);
        assert.equal(Date.parse(stored.run_at), Date.parse('2030-01-01T00:00:00Z'));
      });
    });

    describe('claim', () => {
      test('orders by priority, then run_at, and leaves future jobs', async (store) => {
        const ids = await store.enqueue([
          job('svc', { identifier: 'low-old', priority: 0, run_at: ago(180_000) }),
          job('svc', { identifier: 'high-new', priority: 5, run_at: ago(60_000) }),
          job('svc', { identifier: 'high-old', priority: 5, run_at: ago(120_000) }),
          job('svc', { identifier: 'future', priority: 9, run_at: later(3_600_000) }),
        ]);
        const claimed = await store.claim({ workerId: 'w1', limit: 10, leaseMs: LEASE });
        assert.deepEqual(claimed.map((c) => c.identifier), ['high-old', 'high-new', 'low-old']);
        const first = claimed[0];
        assert.ok(first);
        assert.equal(first.attempt, 1);
        assert.equal(first.max_attempts, 3);
        assert.equal(first.execution_type, 'noop');
        assert.ok(Date.parse(first.lease_expires_at) > Date.now() + LEASE / 2);
        const row = await mustGet(store, first.id);
        assert.equal(row.status, 'running');
        assert.equal(row.attempts, 1);
        assert.equal(row.lease_owner, 'w1');
        assert.ok(row.started_at);
        const attempt = Attempt.parse(only(await store.listAttempts(first.id)));
        assert.equal(attempt.id, first.attempt_id);
        assert.equal(attempt.outcome, 'running');
        assert.equal(attempt.worker_id, 'w1');
        assert.equal(attempt.attempt, 1);
        assert.equal(attempt.finished_at, null);
        assert.equal((await mustGet(store, ids[3]?.id ?? 0)).status, 'pending');
        assert.deepEqual(await store.claim({ workerId: 'w1', limit: 10, leaseMs: LEASE }), []);
      });

      test('honours limit, queues, excluded services and per-service caps', async (store) => {
        await store.enqueue([
          ...Array.from({ length: 3 }, () => job('a', { queue: 'q1' })),
          ...Array.from({ length: 3 }, () => job('b', { queue: 'q2' })),
          ...Array.from({ length: 2 }, () => job('c', { queue: 'q1' })),
        ]);
        assert.equal((await store.claim({ workerId: 'w', limit: 2, leaseMs: LEASE, queues: ['q2'] })).length, 2);
        const q1 = await store.claim({ workerId: 'w', limit: 10, leaseMs: LEASE, queues: ['q1'], excludeServices: ['c'], serviceCaps: { a: 2 } });
        assert.deepEqual(q1.map((c) => c.service_name), ['a', 'a']);
        const rest = await store.claim({ workerId: 'w', limit: 10, leaseMs: LEASE, serviceCaps: { a: 0, c: 1 } });
        assert.deepEqual(rest.map((c) => c.service_name).sort(), ['b', 'c']);
        assert.deepEqual(await store.claim({ workerId: 'w', limit: 10, leaseMs: LEASE, excludeServices: ['a', 'c'] }), []);
        assert.equal((await store.claim({ workerId: 'w', limit: 10, leaseMs: LEASE })).length, 2);
      });

      test('connections claiming at once never get the same job', async (store, handle) => {
        const total = 240;
        await store.enqueue(Array.from({ length: total }, (_, i) => job(`svc${i % 4}`, { priority: i % 3 })));
        const others = handle.openSecond ? await Promise.all([handle.openSecond(), handle.openSecond()]) : [];
        try {
          const claimers = [store, ...others, store];
          const seen = new Map<number, string>();
          for (let round = 0; round < 100 && seen.size < total; round++) {
            const batches = await Promise.all(claimers.map((s, i) => s.claim({ workerId: `w${i}`, limit: 7, leaseMs: LEASE })));
            batches.forEach((batch, i) => {
              for (const claimed of batch) {
                assert.equal(seen.get(claimed.id), undefined, `job ${claimed.id} claimed by ${seen.get(claimed.id)} and w${i}`);
                seen.set(claimed.id, `w${i}`);
              }
            });
          }
          assert.equal(seen.size, total);
        } finally {
          await Promise.all(others.map((s) => s.close()));
        }
      });

      test('extendLeases extends only the leases the worker still holds', async (store) => {
        const a = await claimOne(store, {}, 'w1', 1_000);
        const b = await claimOne(store, {}, 'w1', 1_000);
        const c = await claimOne(store, {}, 'w2', 1_000);
        const held = await store.extendLeases('w1', [a.id, b.id, c.id, 987_654], LEASE);
        assert.deepEqual([...held].sort((x, y) => x - y), [a.id, b.id].sort((x, y) => x - y));
        const row = await mustGet(store, a.id);
        assert.ok(row.lease_expires_at && Date.parse(row.lease_expires_at) > Date.now() + LEASE / 2);
        assert.ok(Date.parse((await mustGet(store, c.id)).lease_expires_at ?? '') < Date.now() + 2_000);
        assert.deepEqual(await store.extendLeases('w2', [a.id], LEASE), []);
        assert.deepEqual(await store.extendLeases('w1', [], LEASE), []);
      });
    });

    describe('settle', () => {
      test('completed: job and attempt record the outcome; fenced by worker and attempt', async (store) => {
        const claimed = await claimOne(store);
        assert.deepEqual(await store.settle([{ ...base(claimed), attemptId: claimed.attempt_id + 1000, kind: 'completed' }]), []);
        assert.deepEqual(await store.settle([{ ...base(claimed, 'someone-else'), kind: 'completed' }]), []);
        const usage = { duration_ms: 12, exit_code: 0, bytes_out: 3 };
        const landed = await store.settle([{ ...base(claimed), kind: 'completed', output_tail: 'done\n', resource_usage: usage, security_context: { allowlist: 'allowed' } }]);
        assert.deepEqual(landed, [claimed.id]);
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'completed');
        assert.ok(row.completed_at);
        assert.equal(row.lease_owner, null);
        assert.deepEqual(row.resource_usage, usage);
        assert.deepEqual(row.security_context, { allowlist: 'allowed' });
        const attempt = Attempt.parse(only(await store.listAttempts(claimed.id)));
        assert.equal(attempt.outcome, 'completed');
        assert.ok(attempt.finished_at);
        assert.equal(attempt.output_tail, 'done\n');
        assert.deepEqual(attempt.resource_usage, usage);
        assert.deepEqual(await store.settle([{ ...base(claimed), kind: 'completed' }]), [], 'a settled job cannot be settled again');
      });

      test('a reclaimed job cannot be completed by its old attempt', async (store) => {
        const first = await claimOne(store, {}, 'w1', 1);
        const reclaimed = await store.reclaimExpired(new Date(Date.now() + 60_000));
        assert.deepEqual(reclaimed, { retried: [first.id], failed: [], cancelled: [] });
        const second = only(await store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE }));
        assert.equal(second.id, first.id);
        assert.equal(second.attempt, 2);
        assert.notEqual(second.attempt_id, first.attempt_id);
        assert.deepEqual(await store.settle([{ ...base(first), kind: 'completed' }]), []);
        assert.equal((await mustGet(store, first.id)).status, 'running');
        assert.deepEqual(await store.settle([{ ...base(second), kind: 'completed' }]), [first.id]);
        assert.deepEqual((await store.listAttempts(first.id)).map((a) => [a.attempt, a.outcome]), [[1, 'lost'], [2, 'completed']]);
      });

      test('retry: the attempt is spent and the job waits until run_at', async (store) => {
        const claimed = await claimOne(store);
        const runAt = later(3_600_000);
        const landed = await store.settle([{ ...base(claimed), kind: 'retry', error: err('connection reset by peer', 'fp-reset'), run_at: runAt, outcome: 'timed_out' }]);
        assert.deepEqual(landed, [claimed.id]);
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, 1);
        assert.equal(Date.parse(row.run_at), Date.parse(runAt));
        assert.equal(row.error_message, 'connection reset by peer');
        assert.equal(row.error_fingerprint, 'fp-reset');
        assert.equal(row.lease_owner, null);
        const attempt = Attempt.parse(only(await store.listAttempts(claimed.id)));
        assert.equal(attempt.outcome, 'timed_out');
        assert.equal(attempt.error_message, 'connection reset by peer');
        assert.equal(attempt.error_class, 'TestError');
        assert.deepEqual(await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE }), []);
      });

      test('failed: into the dead-letter queue', async (store) => {
        const claimed = await claimOne(store, { service_name: 'mailer' });
        await store.settle([{ ...base(claimed), kind: 'failed', error: err('HTTP 400 bad request', 'fp-400'), outcome: 'failed' }]);
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'failed');
        assert.ok(row.completed_at);
        assert.equal(row.error_fingerprint, 'fp-400');
        assert.equal(row.resolved_at, null);
        assert.equal(await store.dlqCount({}), 1);
        assert.equal(only(await store.listAttempts(claimed.id)).outcome, 'failed');
      });

      test('interrupted: back to pending without spending the attempt', async (store) => {
        const claimed = await claimOne(store);
        assert.equal((await mustGet(store, claimed.id)).attempts, 1);
        await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'emergency stop' }]);
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, 0);
        assert.ok(Date.parse(row.run_at) <= Date.now() + 1000);
        const attempt = only(await store.listAttempts(claimed.id));
        assert.equal(attempt.outcome, 'interrupted');
        assert.ok(attempt.finished_at);
        const again = only(await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }));
        assert.equal(again.attempt, 1);
      });

      test('a batch lands each fenced settlement on its own', async (store) => {
        const a = await claimOne(store);
        const b = await claimOne(store);
        const c = await claimOne(store);
        const landed = await store.settle([
          { ...base(a), kind: 'completed' },
          { ...base(b, 'intruder'), kind: 'retry', error: err('x'), run_at: later(1000), outcome: 'failed' },
          { ...base(c), kind: 'failed', error: err('y'), outcome: 'failed' },
        ]);
        assert.deepEqual([...landed].sort((x, y) => x - y), [a.id, c.id].sort((x, y) => x - y));
        assert.equal((await mustGet(store, b.id)).status, 'running');
        assert.deepEqual(await store.settle([]), []);
      });
    });

    describe('operator actions on jobs', () => {
      test('cancel: pending at once, running by request, audited', async (store) => {
        const [pending] = await store.enqueue([job('svc', { run_at: later(3_600_000) })]);
        assert.ok(pending);
        const cancelled = await store.cancelJob(pending.id, alice, 'not needed');
        assert.equal(cancelled?.status, 'cancelled');
        const running = await claimOne(store);
        const requested = await store.cancelJob(running.id, alice, null);
        assert.equal(requested?.status, 'running');
        assert.equal(requested?.cancel_requested, true);
        assert.deepEqual(await store.cancelRequested('w1'), [running.id]);
        assert.deepEqual(await store.cancelRequested('w2'), []);
        assert.deepEqual(await store.settle([{ ...base(running), kind: 'cancelled', reason: 'operator' }]), [running.id]);
        assert.equal((await mustGet(store, running.id)).status, 'cancelled');
        assert.equal(only(await store.listAttempts(running.id)).outcome, 'cancelled');
        assert.deepEqual(await store.cancelRequested('w1'), []);
        const audits = (await auditActions(store)).filter((a) => a.action === 'job.cancel');
        assert.equal(audits.length, 2);
        assert.ok(audits.every((a) => a.actor === ALICE && a.job_count === 1));
        assert.ok(audits.some((a) => a.target === String(pending.id)));
        const done = await claimOne(store);
        await store.settle([{ ...base(done), kind: 'completed' }]);
        assert.equal((await store.cancelJob(done.id, alice, null))?.status, 'completed');
        assert.equal((await auditActions(store)).filter((a) => a.action === 'job.cancel').length, 2, 'a refused cancel is not audited');
        assert.equal(await store.cancelJob(987_654, alice, null), null);
      });

      test('retryJob: failed or cancelled jobs run again with attempts reset', async (store) => {
        const id = await deadLetter(store, 'svc', err('boom'));
        await store.dlqResolve({ job_ids: [id] }, 'looked at it', alice);
        const retried = await store.retryJob(id, alice);
        assert.equal(retried?.status, 'pending');
        assert.equal(retried?.attempts, 0);
        assert.equal(retried?.resolved_at, null);
        assert.equal(retried?.resolution, null);
        assert.ok(Date.parse(retried?.run_at ?? '') <= Date.now() + 1000);
        assert.equal(only(await store.listAttempts(id)).error_message, 'boom');
        assert.equal((await store.retryJob(id, alice))?.status, 'pending', 'a pending job is returned unchanged');
        assert.equal(await store.retryJob(987_654, alice), null);
        const audits = (await auditActions(store)).filter((a) => a.action === 'job.retry');
        assert.equal(audits.length, 1);
        assert.equal(audits[0]?.target, String(id));
      });
    });

    describe('reclaimExpired', () => {
      test('lost attempts are spent; a job out of attempts fails', async (store) => {
        const one = await claimOne(store, { max_attempts: 1, service_name: 'one' }, 'w1', 5_000);
        const two = await claimOne(store, { max_attempts: 2, service_name: 'two' }, 'w1', 5_000);
        assert.deepEqual(await store.reclaimExpired(new Date()), { retried: [], failed: [], cancelled: [] });
        const result = await store.reclaimExpired(new Date(Date.now() + 60_000));
        assert.deepEqual(result, { retried: [two.id], failed: [one.id], cancelled: [] });
        const failed = await mustGet(store, one.id);
        assert.equal(failed.status, 'failed');
        assert.ok(failed.error_message);
        assert.ok(failed.error_fingerprint);
        assert.equal(await store.dlqCount({}), 1);
        const retried = await mustGet(store, two.id);
        assert.equal(retried.status, 'pending');
        assert.equal(retried.attempts, 1);
        assert.equal(retried.lease_owner, null);
        assert.ok(Date.parse(retried.run_at) <= Date.now() + 60_000);
        assert.equal(only(await store.listAttempts(one.id)).outcome, 'lost');
        assert.equal(only(await store.listAttempts(two.id)).outcome, 'lost');
      });

      test('under emergency stop the attempt is interrupted, not spent', async (store) => {
        const claimed = await claimOne(store, { max_attempts: 1 }, 'w1', 1);
        await store.setEmergencyStop(true, alice, 'incident');
        const result = await store.reclaimExpired(new Date(Date.now() + 60_000));
        assert.deepEqual(result, { retried: [claimed.id], failed: [], cancelled: [] });
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, 0);
        assert.equal(only(await store.listAttempts(claimed.id)).outcome, 'interrupted');
      });

      test('a job an operator asked to cancel is cancelled when its worker is lost, not run again', async (store) => {
        const claimed = await claimOne(store, { max_attempts: 3 }, 'w1', 1);
        await store.cancelJob(claimed.id, alice, 'wrong input');
        await store.setEmergencyStop(true, alice, 'incident');
        const result = await store.reclaimExpired(new Date(Date.now() + 60_000));
        assert.deepEqual(result, { retried: [], failed: [], cancelled: [claimed.id] });
        const row = await mustGet(store, claimed.id);
        assert.equal(row.status, 'cancelled');
        assert.ok(row.completed_at);
        assert.equal(row.lease_owner, null);
        const attempt = only(await store.listAttempts(claimed.id));
        assert.equal(attempt.outcome, 'cancelled');
        assert.match(attempt.error_message ?? '', /cancelled by an operator/);
        await store.setEmergencyStop(false, alice, null);
        assert.deepEqual(await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }), []);
      });
    });

    describe('control', () => {
      test('emergency stop blocks every claim until resumed, and is audited', async (store) => {
        await store.enqueue([job('svc')]);
        const before = ControlState.parse(await store.getControl());
        assert.equal(before.emergency_stop.engaged, false);
        assert.deepEqual(before.paused_queues, []);
        const stopped = ControlState.parse(await store.setEmergencyStop(true, alice, 'bad deploy'));
        assert.equal(stopped.emergency_stop.engaged, true);
        assert.equal(stopped.emergency_stop.by, ALICE);
        assert.equal(stopped.emergency_stop.reason, 'bad deploy');
        assert.ok(stopped.emergency_stop.at);
        assert.ok(stopped.version > before.version);
        assert.deepEqual(await store.getControl(), stopped);
        assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE }), []);
        const resumed = await store.setEmergencyStop(false, alice, null);
        assert.equal(resumed.emergency_stop.engaged, false);
        assert.ok(resumed.version > stopped.version);
        assert.equal((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).length, 1);
        const actions = (await auditActions(store)).map((a) => a.action);
        assert.ok(actions.includes('control.emergency_stop'));
        assert.ok(actions.includes('control.resume'));
      });

      test('safe mode blocks claims and is audited', async (store) => {
        await store.enqueue([job('svc')]);
        const on = await store.setSafeMode(true, alice, 'draining');
        assert.equal(on.safe_mode.engaged, true);
        assert.equal(on.safe_mode.by, ALICE);
        assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE }), []);
        await store.setSafeMode(false, alice, null);
        assert.equal((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).length, 1);
        const audits = (await auditActions(store)).filter((a) => a.action === 'control.safe_mode');
        assert.equal(audits.length, 2);
        assert.ok(audits.every((a) => a.actor === ALICE));
      });

      test('a paused queue is skipped by claims; other queues run', async (store) => {
        await store.enqueue([job('svc', { queue: 'reports' }), job('svc', { queue: 'mail' })]);
        const paused = await store.setQueuePaused('reports', true, alice, 'db maintenance');
        const entry = only(paused.paused_queues);
        assert.equal(entry.queue, 'reports');
        assert.equal(entry.by, ALICE);
        assert.equal(entry.reason, 'db maintenance');
        assert.deepEqual((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).map((c) => c.queue), ['mail']);
        assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE, queues: ['reports'] }), []);
        const resumed = await store.setQueuePaused('reports', false, alice, null);
        assert.deepEqual(resumed.paused_queues, []);
        assert.ok(resumed.version > paused.version);
        assert.deepEqual((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).map((c) => c.queue), ['reports']);
        const actions = (await auditActions(store)).map((a) => [a.action, a.target]);
        assert.deepEqual(actions.filter(([a]) => a?.startsWith('queue.')).sort(), [['queue.pause', 'reports'], ['queue.resume', 'reports']]);
      });

      test('local listeners hear changes; unsubscribe stops them', async (store) => {
        const heard: StoreSignal[] = [];
        const off = store.subscribe((signal) => heard.push(signal));
        await store.enqueue([job('svc')]);
        await store.setSafeMode(true, alice, null);
        await sleep(50);
        assert.ok(heard.includes('jobs'), `heard ${heard.join(',')}`);
        assert.ok(heard.includes('control'), `heard ${heard.join(',')}`);
        off();
        heard.length = 0;
        await store.setSafeMode(false, alice, null);
        await sleep(50);
        assert.deepEqual(heard, []);
      });

      test('another connection sees control changes and is signalled', async (store, handle) => {
        if (!handle.openSecond) return;
        const second = await handle.openSecond();
        try {
          const heard = waitForSignal(second, 'control', 5_000);
          await sleep(100);
          await store.setEmergencyStop(true, alice, 'from the CLI');
          assert.equal(await heard, true, 'the second connection was signalled within 5 s');
          assert.equal((await second.getControl()).emergency_stop.engaged, true);
          await store.enqueue([job('svc')]);
          assert.deepEqual(await second.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }), []);
        } finally {
          await second.close();
        }
      });
    });

    describe('circuit breakers', () => {
      const record = (version: number): BreakerRecord => ({
        service_name: 'payments',
        state: 'open',
        mode: 'auto',
        window_started_at: new Date(Date.UTC(2026, 0, 1)).toISOString(),
        window_failures: 7,
        window_successes: 2,
        prev_failures: 1,
        prev_successes: 0,
        opened_at: new Date(Date.UTC(2026, 0, 1, 0, 1)).toISOString(),
        probes_in_flight: 0,
        probe_started_at: null,
        last_transition_at: new Date(Date.UTC(2026, 0, 1, 0, 1)).toISOString(),
        last_error: 'HTTP 503',
        mode_set_by: null,
        mode_set_at: null,
        mode_reason: null,
        version,
      });

      test('saveBreaker lands only on the expected version', async (store) => {
        assert.equal(await store.getBreaker('payments'), null);
        assert.equal(await store.saveBreaker(record(2), null), false, 'a new breaker starts at version 1');
        assert.equal(await store.saveBreaker(record(1), { from: 'closed', to: 'open', reason: '7 failures' }), true);
        assert.equal(await store.saveBreaker(record(1), null), false, 'someone saved version 1 already');
        assert.equal(await store.saveBreaker({ ...record(2), state: 'half_open', probes_in_flight: 1 }, null), true);
        assert.equal(await store.saveBreaker(record(2), null), false);
        const stored = BreakerRecord.parse(await store.getBreaker('payments'));
        assert.equal(stored.version, 2);
        assert.equal(stored.state, 'half_open');
        assert.equal(stored.probes_in_flight, 1);
        assert.equal(stored.window_failures, 7);
        assert.equal(Date.parse(stored.opened_at ?? ''), Date.parse(record(1).opened_at ?? ''));
        assert.deepEqual((await store.listBreakers()).map((b) => b.service_name), ['payments']);
        const transitions = (await auditActions(store)).filter((a) => a.action === 'breaker.transition');
        assert.equal(transitions.length, 1);
        assert.equal(transitions[0]?.target, 'payments');
      });

      test('operator modes and reset are stored, versioned and audited', async (store) => {
        const forced = BreakerRecord.parse(await store.setBreakerMode('search', 'force_open', alice, 'vendor outage'));
        assert.equal(forced.mode, 'force_open');
        assert.equal(forced.mode_set_by, ALICE);
        assert.equal(forced.mode_reason, 'vendor outage');
        assert.ok(forced.mode_set_at);
        await store.saveBreaker({ ...forced, state: 'open', window_failures: 9, version: forced.version + 1 }, null);
        const reset = await store.setBreakerMode('search', 'reset', alice, null);
        assert.equal(reset.mode, 'auto');
        assert.equal(reset.state, 'closed');
        assert.equal(reset.window_failures, 0);
        assert.equal(reset.opened_at, null);
        assert.ok(reset.version > forced.version + 1);
        const actions = (await auditActions(store)).map((a) => a.action);
        assert.ok(actions.includes('breaker.force_open'));
        assert.ok(actions.includes('breaker.reset'));
      });
    });

    describe('workers', () => {
      test('register, heartbeat and the lost flag', async (store) => {
        await store.registerWorker({ id: 'host-a:1', host: 'host-a', pid: 1, version: '0.1.0', concurrency: 4, queues: null });
        await store.registerWorker({ id: 'host-b:2', host: 'host-b', pid: 2, version: '0.1.0', concurrency: 2, queues: ['mail', 'reports'] });
        await store.heartbeat('host-a:1', 3, 'draining');
        const workers = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w));
        const a = workers.find((w) => w.id === 'host-a:1');
        const b = workers.find((w) => w.id === 'host-b:2');
        assert.ok(a && b);
        assert.equal(a.in_flight, 3);
        assert.equal(a.state, 'draining');
        assert.equal(a.queues, null);
        assert.equal(a.lost, false);
        assert.deepEqual(b.queues, ['mail', 'reports']);
        assert.equal(b.concurrency, 2);
        await sleep(30);
        assert.ok((await store.listWorkers(5)).every((w) => w.lost));
      });
    });

    describe('audit', () => {
      test('entries newest first, filtered by action and text, paged', async (store) => {
        for (let i = 0; i < 7; i++) {
          await store.audit({ actor: alice, action: i % 2 === 0 ? 'test.even' : 'test.odd', target: `t${i}`, job_count: i, details: { note: `n°${i} 100%` } });
        }
        const all = (await store.listAudit({}, { limit: 100 })).items.map((e) => AuditEntry.parse(e));
        assert.deepEqual(all.map((e) => e.target), ['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
        assert.equal(all[0]?.actor, ALICE);
        assert.deepEqual(all[0]?.details, { note: 'n°6 100%' });
        assert.equal(all[0]?.job_count, 6);
        const even = await store.listAudit({ action: 'test.even' }, { limit: 100 });
        assert.deepEqual(even.items.map((e) => e.target), ['t6', 't4', 't2', 't0']);
        const first = await store.listAudit({}, { limit: 3 });
        assert.equal(first.items.length, 3);
        assert.ok(first.next_cursor);
        const second = await store.listAudit({}, { limit: 3, after: first.next_cursor });
        assert.deepEqual(second.items.map((e) => e.target), ['t3', 't2', 't1']);
        const searched = await store.listAudit({ search: 'T5' }, { limit: 100 });
        assert.deepEqual(searched.items.map((e) => e.target), ['t5']);
      });
    });

    describe('dead-letter queue', () => {
      test('groups by fingerprint with counts, services and a sample', async (store) => {
        const ids = [
          await deadLetter(store, 'alpha', err('timeout after 30s', 'fp-timeout')),
          await deadLetter(store, 'beta', err('timeout after 31s', 'fp-timeout'), 'http'),
          await deadLetter(store, 'alpha', err('timeout after 32s', 'fp-timeout')),
          await deadLetter(store, 'alpha', err('disk full', 'fp-disk')),
        ];
        const groups = await store.dlqGroups({});
        assert.deepEqual(groups.map((g) => [g.fingerprint, g.count]), [['fp-timeout', 3], ['fp-disk', 1]]);
        const timeout = groups[0];
        assert.ok(timeout);
        assert.deepEqual([...timeout.services].sort(), ['alpha', 'beta']);
        assert.deepEqual([...timeout.execution_types].sort(), ['http', 'noop']);
        assert.match(timeout.sample_error, /^timeout after 3\ds$/);
        assert.ok(ids.slice(0, 3).includes(timeout.sample_job_id));
        assert.ok(Date.parse(timeout.first_seen) <= Date.parse(timeout.last_seen));
        assert.deepEqual((await store.dlqGroups({ service: 'beta' })).map((g) => [g.fingerprint, g.count]), [['fp-timeout', 1]]);
        assert.deepEqual((await store.dlqGroups({ search: 'DISK' })).map((g) => g.fingerprint), ['fp-disk']);
        assert.equal(await store.dlqCount({}), 4);
        assert.equal(await store.dlqCount({ fingerprint: 'fp-timeout', service: 'alpha' }), 2);
      });

      test('selectors treat hostile text as plain text', async (store) => {
        const messages = ['disk 100% full', 'column a_b missing', 'column axb missing', "x'; DROP TABLE tb_job_run; --", 'naïve ünïcödé 💥 failed', 'path C:\\temp\\x not found', 'plain failure'];
        const ids: number[] = [];
        for (const message of messages) ids.push(await deadLetter(store, 'svc', err(message)));
        assert.equal(await store.dlqCount({ search: '%' }), 1);
        assert.equal(await store.dlqCount({ search: 'a_b' }), 1);
        assert.equal(await store.dlqCount({ search: '_' }), 2, 'a_b and tb_job_run, nothing else');
        assert.equal(await store.dlqCount({ search: "'; DROP TABLE" }), 1);
        assert.equal(await store.dlqCount({ search: '💥' }), 1);
        assert.equal(await store.dlqCount({ search: 'ünïcödé' }), 1);
        assert.equal(await store.dlqCount({ search: '\\temp\\' }), 1);
        assert.equal(await store.dlqCount({ search: 'PLAIN' }), 1);
        assert.equal(await store.dlqCount({ search: 'nothing like this' }), 0);
        assert.equal(await store.dlqCount({ fingerprint: "fp-x'; DROP TABLE tb_job_run; --" }), 1);
        assert.equal(await store.dlqCount({ service: "svc' OR '1'='1" }), 0);
        assert.equal(await store.dlqCount({}), 7);
        assert.equal(await store.dlqCount({ job_ids: [ids[0] ?? 0, ids[1] ?? 0, 987_654] }), 2);
        assert.equal(await store.dlqCount({ job_ids: [] }), 0);
        assert.equal(await store.dlqCount({ job_ids: [ids[0] ?? 0], search: 'plain' }), 0, 'fields combine with AND');
        assert.equal((await store.listJobs({ search: '%' }, { limit: 10 })).items.length, 1);
        assert.equal((await allJobIds(store)).length, 7, 'the table is still there');
      });

      test('retry sends matching dead letters back with attempts reset, in one audited action', async (store) => {
        const a = await deadLetter(store, 'alpha', err('quota exceeded', 'fp-quota'));
        const b = await deadLetter(store, 'beta', err('quota exceeded', 'fp-quota'));
        const c = await deadLetter(store, 'alpha', err('bad input', 'fp-input'));
        assert.equal(await store.dlqRetry({ fingerprint: 'fp-quota' }, alice), 2);
        for (const id of [a, b]) {
          const row = await mustGet(store, id);
          assert.equal(row.status, 'pending');
          assert.equal(row.attempts, 0);
          assert.ok(Date.parse(row.run_at) <= Date.now() + 1000);
          assert.equal(only(await store.listAttempts(id)).error_message, 'quota exceeded');
        }
        assert.equal((await mustGet(store, c)).status, 'failed');
        assert.equal(await store.dlqCount({}), 1);
        const audit = (await auditActions(store)).find((e) => e.action === 'dlq.retry');
        assert.equal(audit?.job_count, 2);
        assert.equal(audit?.actor, ALICE);
        assert.equal(await store.dlqRetry({ fingerprint: 'fp-quota' }, alice), 0, 'pending jobs are not dead letters');
      });

      test('resolve keeps the job failed but out of the open list; purge deletes resolved ones', async (store) => {
        const a = await deadLetter(store, 'alpha', err('one'));
        const b = await deadLetter(store, 'alpha', err('two'));
        const c = await deadLetter(store, 'beta', err('three'));
        assert.equal(await store.dlqResolve({ service: 'alpha' }, 'fixed upstream', alice), 2);
        const resolved = await mustGet(store, a);
        assert.equal(resolved.status, 'failed');
        assert.ok(resolved.resolved_at);
        assert.equal(resolved.resolution, 'fixed upstream');
        assert.equal(await store.dlqCount({}), 1);
        assert.deepEqual((await store.dlqGroups({})).map((g) => g.services), [['beta']]);
        assert.equal(await store.dlqResolve({ job_ids: [a] }, 'again', alice), 0, 'resolved jobs are not open');
        assert.equal(await store.purgeResolvedCount(new Date(Date.now() - 3_600_000)), 0);
        assert.equal(await store.purgeResolvedCount(new Date(Date.now() + 60_000)), 2);
        assert.equal(await store.purgeResolved(new Date(Date.now() + 60_000), alice), 2);
        assert.equal(await store.getJob(a), null);
        assert.equal(await store.getJob(b), null);
        assert.deepEqual(await store.listAttempts(a), []);
        assert.equal((await mustGet(store, c)).status, 'failed');
        const audits = await auditActions(store);
        assert.deepEqual(audits.filter((e) => e.action === 'dlq.resolve').map((e) => e.job_count), [0, 2], 'newest first, even a no-op is audited');
        assert.equal(audits.find((e) => e.action === 'dlq.purge')?.job_count, 2);
      });

      test('a purged job id is never handed to a new job: the audit rows naming it keep meaning it', async (store) => {
        await deadLetter(store, 'alpha', err('kept'));
        const newest = await deadLetter(store, 'alpha', err('purged'));
        await store.dlqResolve({ job_ids: [newest] }, 'fixed upstream', alice);
        assert.equal(await store.purgeResolved(new Date(Date.now() + 60_000), alice), 1);
        assert.equal(await store.getJob(newest), null);
        const single = await store.enqueue([job('alpha', { identifier: 'after-purge' })]);
        const bulk = await store.enqueue([job('alpha'), job('alpha')]);
        const ids = [...single, ...bulk].map((r) => r.id);
        assert.ok(ids.every((id) => id > newest), `ids after the purge of job ${newest}: ${ids.join(', ')}`);
        assert.equal(new Set(ids).size, 3);
      });

      test('dlqList pages through the open dead letters a selector matches', async (store) => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) ids.push(await deadLetter(store, i < 3 ? 'alpha' : 'beta', err(`e${i}`)));
        await deadLetter(store, 'alpha', err('gone'));
        await store.dlqResolve({ search: 'gone' }, 'n/a', alice);
        const first = await store.dlqList({ service: 'alpha' }, { limit: 2 });
        assert.deepEqual(first.items.map((j) => j.id), [ids[2], ids[1]]);
        const second = await store.dlqList({ service: 'alpha' }, { limit: 2, after: first.next_cursor });
        assert.deepEqual(second.items.map((j) => j.id), [ids[0]]);
        assert.equal(second.next_cursor, null);
      });
    });

    describe('listing and stats', () => {
      test('keyset pages neither skip nor repeat while jobs are added', async (store) => {
        const original = (await store.enqueue(Array.from({ length: 25 }, () => job('svc')))).map((r) => r.id);
        const seen: number[] = [];
        let after: string | null = null;
        for (;;) {
          const page = await store.listJobs({}, { limit: 10, after });
          seen.push(...page.items.map((j) => j.id));
          await store.enqueue(Array.from({ length: 5 }, () => job('svc')));
          if (page.next_cursor === null) break;
          after = page.next_cursor;
        }
        assert.deepEqual(seen, [...original].sort((x, y) => y - x));
      });

      test('scheduled picks the pending jobs not yet due', async (store) => {
        const [due, later] = await store.enqueue([job('svc'), job('svc', { run_at: new Date(Date.now() + 3600_000).toISOString() })]);
        assert.ok(due && later);
        await claimOne(store, { service_name: 'other', run_at: ago(1000) }, 'w1');
        assert.equal(await store.countJobs({ scheduled: true }), 1);
        assert.deepEqual((await store.listJobs({ scheduled: true }, { limit: 10 })).items.map((j) => j.id), [later.id]);
        assert.equal(await store.countJobs({ scheduled: true, service: 'other' }), 0);
      });

      test('a garbled cursor is refused with a clear error', async (store) => {
        await store.enqueue([job('svc')]);
        await assert.rejects(store.listJobs({}, { limit: 10, after: 'garbage!!' }), /cursor/i);
        await assert.rejects(store.listJobs({}, { limit: 10, after: Buffer.from('{"id":-1}').toString('base64url') }), /cursor/i);
        await assert.rejects(store.listAudit({}, { limit: 10, after: '%%%' }), /cursor/i);
      });

      test('filters combine and countJobs agrees with them', async (store) => {
        await store.enqueue([
          job('alpha', { queue: 'q1', execution_type: 'shell' }),
          job('alpha', { queue: 'q2', execution_type: 'http' }),
          job('beta', { queue: 'q1', execution_type: 'shell' }),
        ]);
        const dead = await deadLetter(store, 'gamma', err('Gateway Timeout 504'), 'http');
        const stuck = await claimOne(store, { service_name: 'delta' }, 'w1', 1);
        await sleep(5);
        const cases: Array<[Parameters<Store['listJobs']>[0], number]> = [
          [{}, 5],
          [{ status: ['pending'] }, 3],
          [{ status: ['pending', 'failed'] }, 4],
          [{ status: ['failed', 'running', 'pending'] }, 5],
          [{ status: ['completed', 'cancelled'] }, 0],
          [{ status: [] }, 0],
          [{ queue: 'q1' }, 2],
          [{ service: 'alpha' }, 2],
          [{ execution_type: ['shell'] }, 2],
          [{ execution_type: ['http'], status: ['pending'] }, 1],
          [{ search: 'gateway timeout' }, 1],
          [{ unresolved: true }, 1],
          [{ stuck: true }, 1],
          [{ created_after: ago(60_000) }, 5],
          [{ created_before: ago(60_000) }, 0],
          [{ created_after: later(60_000) }, 0],
        ];
        for (const [filter, expected] of cases) {
          const page = await store.listJobs(filter, { limit: 100 });
          assert.equal(page.items.length, expected, `listJobs ${JSON.stringify(filter)}`);
          assert.equal(await store.countJobs(filter), expected, `countJobs ${JSON.stringify(filter)}`);
        }
        assert.equal(only((await store.listJobs({ unresolved: true }, { limit: 10 })).items).id, dead);
        assert.equal(only((await store.listJobs({ stuck: true }, { limit: 10 })).items).id, stuck.id);
      });

      test('counts by queue and status, running by service, oldest pending', async (store) => {
        const oldest = ago(600_000);
        await store.enqueue([job('a', { queue: 'q1', run_at: oldest }), job('a', { queue: 'q1' }), job('b', { queue: 'q2' })]);
        await claimOne(store, { service_name: 'b' });
        const counts = await store.countsByQueueAndStatus();
        const get = (queue: string, status: string) => counts.find((c) => c.queue === queue && c.status === status)?.count ?? 0;
        assert.equal(get('q1', 'pending'), 2);
        assert.equal(get('q2', 'pending'), 1);
        assert.equal(counts.filter((c) => c.status === 'running').reduce((n, c) => n + c.count, 0), 1);
        assert.deepEqual(await store.runningByService(), { b: 1 });
        assert.equal(Date.parse((await store.oldestPendingRunAt()) ?? ''), Date.parse(oldest));
      });

      test('throughput buckets are dense, aligned and add up', async (store) => {
        for (let i = 0; i < 3; i++) {
          const claimed = await claimOne(store);
          await store.settle([{ ...base(claimed), kind: 'completed' }]);
        }
        await deadLetter(store, 'svc', err('nope'));
        const buckets = await store.throughput(new Date(Date.now() - 10 * 60_000), 60);
        assert.ok(buckets.length >= 10 && buckets.length <= 12, `${buckets.length} buckets`);
        buckets.forEach((b, i) => {
          assert.equal(Date.parse(b.at) % 60_000, 0);
          if (i > 0) assert.equal(Date.parse(b.at) - Date.parse(buckets[i - 1]?.at ?? ''), 60_000);
        });
        assert.equal(buckets.reduce((n, b) => n + b.completed, 0), 3);
        assert.equal(buckets.reduce((n, b) => n + b.failed, 0), 1);
      });

      test('latency percentiles per execution type', async (store) => {
        for (let i = 0; i < 5; i++) {
          const claimed = await claimOne(store, { execution_type: 'http' });
          await sleep(i * 3);
          await store.settle([{ ...base(claimed), kind: 'completed' }]);
        }
        const latency = await store.latencyByType(new Date(Date.now() - 3_600_000));
        const http = latency.find((l) => l.execution_type === 'http');
        assert.ok(http);
        assert.equal(http.count, 5);
        assert.ok(http.p50_ms !== null && http.p95_ms !== null);
        assert.ok(http.p50_ms >= 0 && http.p95_ms >= http.p50_ms);
        const shell = latency.find((l) => l.execution_type === 'shell');
        if (shell) assert.deepEqual([shell.count, shell.p50_ms, shell.p95_ms], [0, null, null]);
      });
    });

    test('migrationStatus reports a current schema', async (store) => {
      const status = await store.migrationStatus();
      assert.equal(status.current, true);
      assert.equal(status.pending, 0);
      assert.ok(status.applied >= 1);
    });
  });
}
