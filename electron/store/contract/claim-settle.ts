import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { Attempt } from '../../../shared/domain.ts';
import { alice, LEASE, job, err, ago, later, mustGet, only, claimOne, base } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** The hot path after enqueue: claims, fenced settlements and the watchdog taking back expired leases. */
export function claimSettleContract(test: ContractTest): void {
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

    test('leasedAttempts names the attempts running under a worker, and no others', async (store) => {
      await store.enqueue([job('svc'), job('svc'), job('svc')]);
      const mine = await store.claim({ workerId: 'w1', limit: 2, leaseMs: LEASE });
      const theirs = await store.claim({ workerId: 'w2', limit: 1, leaseMs: LEASE });
      const [done, held] = mine;
      assert.ok(done && held && theirs[0]);
      await store.settle([{ ...base(done), kind: 'completed' }]);
      assert.deepEqual(await store.leasedAttempts('w1'), [{ jobId: held.id, attemptId: held.attempt_id, leaseExpiresAt: held.lease_expires_at }]);
      assert.deepEqual(await store.leasedAttempts('w2'), [{ jobId: theirs[0].id, attemptId: theirs[0].attempt_id, leaseExpiresAt: theirs[0].lease_expires_at }]);
      assert.deepEqual(await store.leasedAttempts('nobody'), []);
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

    test('a claim that leaves jobs out takes the rest in dispatch order, across queues, services and caps', async (store) => {
      // Every job a claim may take, in the order a claim of everything would take them: the model.
      const pending = new Map<number, { identifier: string; queue: string; service: string; priority: number; runAt: string }>();
      // One group (q1, a) holds most jobs and the highest priorities, so a claim must read deeper into it
      // than into the others; the rest are spread over every queue and service.
      const shapes = Array.from({ length: 400 }, (_, i) => ({
        identifier: `j${i}`,
        queue: i < 240 ? 'q1' : (['q1', 'q2', 'q3'][i % 3] ?? 'q1'),
        service: i < 240 ? 'a' : (['a', 'b', 'c', 'd'][(i * 7) % 4] ?? 'a'),
        priority: i < 240 ? 1 + (i % 2) : (i * 5) % 3,
        // Ties in run_at as well, so the id decides some places.
        runAt: ago(1_000_000 - Math.floor(i / 2) * 1000),
      }));
      const results = await store.enqueue(shapes.map((s) => job(s.service, { identifier: s.identifier, queue: s.queue, priority: s.priority, run_at: s.runAt })));
      results.forEach((r, i) => {
        const shape = shapes[i];
        if (shape) pending.set(r.id, shape);
      });
      const expected = (req: { limit: number; queues?: string[]; excludeServices?: string[]; serviceCaps?: Record<string, number> }, paused: string[]) => {
        const ordered = [...pending]
          .filter(([, s]) => (!req.queues || req.queues.includes(s.queue)) && !(req.excludeServices ?? []).includes(s.service) && !paused.includes(s.queue))
          .sort(([ia, a], [ib, b]) => b.priority - a.priority || a.runAt.localeCompare(b.runAt) || ia - ib);
        const taken = new Map<string, number>();
        const out: string[] = [];
        for (const [, s] of ordered) {
          if (out.length >= req.limit) break;
          const n = taken.get(s.service) ?? 0;
          if (n >= (req.serviceCaps?.[s.service] ?? Infinity)) continue;
          taken.set(s.service, n + 1);
          out.push(s.identifier);
        }
        return out;
      };
      // z: a backlog ahead of everything and left out of every claim, more than a claim steps over before
      // it goes by lane instead (SQLite).
      const zRunAt = ago(10_000);
      const z = await store.enqueue(Array.from({ length: 2100 }, (_, i) => job('z', { identifier: `z${i}`, queue: 'q1', priority: 3, run_at: zRunAt })));
      z.forEach((r, i) => pending.set(r.id, { identifier: `z${i}`, queue: 'q1', service: 'z', priority: 3, runAt: zRunAt }));
      const rounds: Array<{ req: { limit: number; queues?: string[]; excludeServices?: string[]; serviceCaps?: Record<string, number> }; paused: string[] }> = [
        { req: { limit: 5, excludeServices: ['b', 'z'] }, paused: [] },
        { req: { limit: 6, queues: ['q1', 'q3'], excludeServices: ['z'] }, paused: [] },
        { req: { limit: 7, excludeServices: ['z'], serviceCaps: { a: 1, c: 2 } }, paused: [] },
        { req: { limit: 8, serviceCaps: { z: 0 } }, paused: ['q2'] },
        { req: { limit: 9, queues: ['q2', 'q3'], excludeServices: ['d'], serviceCaps: { a: 3 } }, paused: ['q3'] },
        { req: { limit: 120, excludeServices: ['c', 'z'] }, paused: [] },
        { req: { limit: 150, queues: ['q1', 'q2', 'q3'], excludeServices: ['z'], serviceCaps: { a: 100 } }, paused: [] },
        { req: { limit: 1000, excludeServices: ['z'], serviceCaps: { b: 0 } }, paused: [] },
      ];
      for (const [i, { req, paused }] of rounds.entries()) {
        for (const queue of paused) await store.setQueuePaused(queue, true, alice, null);
        const want = expected(req, paused);
        const claimed = await store.claim({ workerId: 'w', leaseMs: LEASE, ...req });
        assert.deepEqual(claimed.map((c) => c.identifier), want, `round ${i}: ${JSON.stringify({ req, paused })}`);
        for (const c of claimed) pending.delete(c.id);
        for (const queue of paused) await store.setQueuePaused(queue, false, alice, null);
      }
      const left = [...pending.values()];
      assert.ok(left.some((s) => s.service === 'b') && left.every((s) => s.service === 'b' || s.service === 'z'), 'what is left is the service capped to nothing and the one left out');
    });

    test('priorities at the ends of the integer range are claimed in order, with and without jobs left out', async (store) => {
      const ends = [-2_147_483_648, 0, 2_147_483_647];
      for (const queue of ['q1', 'q2']) {
        await store.enqueue(ends.flatMap((priority) => Array.from({ length: 20 }, (_, i) => job('svc', { identifier: `${queue}-${priority}-${i}`, queue, priority }))));
      }
      const leftOut = await store.claim({ workerId: 'w', limit: 50, leaseMs: LEASE, excludeServices: ['other'] });
      assert.deepEqual(leftOut.map((c) => c.priority), [...Array.from({ length: 40 }, () => 2_147_483_647), ...Array.from({ length: 10 }, () => 0)]);
      const rest = await store.claim({ workerId: 'w', limit: 100, leaseMs: LEASE, queues: ['q1', 'q2'] });
      assert.deepEqual(rest.map((c) => c.priority), [...Array.from({ length: 30 }, () => 0), ...Array.from({ length: 40 }, () => -2_147_483_648)]);
    });

    test('each priority gives its due jobs and none due later, over more priorities than a claim seeks one at a time', async (store) => {
      const priorities = Array.from({ length: 50 }, (_, i) => 100 - 2 * i);
      await store.enqueue(priorities.flatMap((priority) => [
        job('svc', { identifier: `later-${priority}`, priority, run_at: later(3_600_000) }),
        job('svc', { identifier: `due-${priority}-b`, priority, run_at: ago(1_000) }),
        job('svc', { identifier: `due-${priority}-a`, priority, run_at: ago(2_000) }),
      ]));
      const order = priorities.flatMap((priority) => [`due-${priority}-a`, `due-${priority}-b`]);
      const everything = await store.claim({ workerId: 'w', limit: 70, leaseMs: LEASE });
      assert.deepEqual(everything.map((c) => c.identifier), order.slice(0, 70));
      const leftOut = await store.claim({ workerId: 'w', limit: 100, leaseMs: LEASE, excludeServices: ['other'] });
      assert.deepEqual(leftOut.map((c) => c.identifier), order.slice(70));
      assert.deepEqual(await store.claim({ workerId: 'w', limit: 100, leaseMs: LEASE }), []);
    });

    test('connections claiming at once never get the same job, with and without jobs left out', async (store, handle) => {
      const total = 240;
      const others = handle.openSecond ? await Promise.all([handle.openSecond(), handle.openSecond()]) : [];
      try {
        const claimers = [store, ...others, store];
        // The second round leaves a service out and caps another: the claims then go group by group.
        for (const leftOut of [{}, { queues: ['second'], excludeServices: ['svc3'], serviceCaps: { svc1: 3 } }]) {
          const queue = 'queues' in leftOut ? 'second' : 'first';
          await store.enqueue(Array.from({ length: total }, (_, i) => job(`svc${i % 4}`, { queue, priority: i % 3 })));
          const takeable = 'excludeServices' in leftOut ? total - total / 4 : total;
          const seen = new Map<number, string>();
          for (let round = 0; round < 100 && seen.size < takeable; round++) {
            const batches = await Promise.all(claimers.map((s, i) => s.claim({ workerId: `w${i}`, limit: 7, leaseMs: LEASE, ...leftOut })));
            batches.forEach((batch, i) => {
              for (const claimed of batch) {
                assert.equal(seen.get(claimed.id), undefined, `job ${claimed.id} claimed by ${seen.get(claimed.id)} and w${i}`);
                assert.notEqual(claimed.service_name, 'excludeServices' in leftOut ? 'svc3' : '', 'an excluded service is never claimed');
                seen.set(claimed.id, `w${i}`);
              }
            });
          }
          assert.equal(seen.size, takeable, JSON.stringify(leftOut));
        }
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
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'emergency stop', ran: true }]);
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

    test('handed back before it started: no attempt is recorded and the job shows no start of it', async (store) => {
      const fresh = await claimOne(store);
      await store.settle([{ ...base(fresh), kind: 'interrupted', reason: 'dispatch stopped', ran: false }]);
      const row = await mustGet(store, fresh.id);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 0);
      assert.equal(row.started_at, null, 'it never started');
      assert.deepEqual(await store.listAttempts(fresh.id), []);
      const again = only(await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }));
      assert.equal(again.attempt, 1);
      await store.settle([{ ...base(again, 'w2'), kind: 'retry', error: err('503'), run_at: ago(1), outcome: 'failed' }]);
      const ran = only(await store.listAttempts(fresh.id));
      const third = only(await store.claim({ workerId: 'w3', limit: 5, leaseMs: LEASE }));
      await store.settle([{ ...base(third, 'w3'), kind: 'interrupted', reason: 'circuit breaker open', ran: false }]);
      const after = await mustGet(store, fresh.id);
      assert.equal(after.attempts, 1, 'the attempt that ran is still spent');
      assert.equal(after.started_at, ran.started_at, 'the start shown is the attempt that ran');
      assert.deepEqual((await store.listAttempts(fresh.id)).map((a) => a.outcome), ['failed']);
    });

    test('cancelled before it started: cancelled, with no attempt recorded or spent', async (store) => {
      const claimed = await claimOne(store);
      await store.settle([{ ...base(claimed), kind: 'cancelled', reason: 'cancelled by an operator', ran: false }]);
      const row = await mustGet(store, claimed.id);
      assert.equal(row.status, 'cancelled');
      assert.ok(row.completed_at);
      assert.equal(row.attempts, 0);
      assert.equal(row.started_at, null);
      assert.deepEqual(await store.listAttempts(claimed.id), []);
      assert.equal((await store.countsByQueueAndStatus()).find((c) => c.status === 'running')?.count ?? 0, 0);
    });

    test("a claim clears the job's resource usage: an earlier attempt's is not shown as the running or failed one's", async (store) => {
      const claimed = await claimOne(store);
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'emergency stop', ran: true, resource_usage: { duration_ms: 7750, signal: 'SIGTERM' } }]);
      assert.deepEqual((await mustGet(store, claimed.id)).resource_usage, { duration_ms: 7750, signal: 'SIGTERM' });
      const again = only(await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }));
      assert.equal((await mustGet(store, again.id)).resource_usage, null);
      const failed = await store.failRunningJob(again.id, 'w2', alice, 'stuck, failed by hand');
      assert.equal(failed?.resource_usage, null);
      assert.deepEqual((await store.listAttempts(again.id)).map((a) => a.resource_usage), [{ duration_ms: 7750, signal: 'SIGTERM' }, null], 'each attempt keeps its own');
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

    test('settledEarlier: of settlements sent again that did not land, those an earlier try recorded as they say, and no others', async (store) => {
      const [done, failed, retried, stopped, handedBack, byHand] = [await claimOne(store), await claimOne(store), await claimOne(store), await claimOne(store), await claimOne(store), await claimOne(store)];
      const lost = await claimOne(store, {}, 'w1', 1);
      // Text as PostgreSQL cannot keep it: the earlier try stored it cleaned, and still matches.
      const sent = [
        { ...base(done), kind: 'completed' as const },
        { ...base(failed), kind: 'failed' as const, error: err('upstream returned 503\u0000', 'fp-503'), outcome: 'failed' as const },
        { ...base(retried), kind: 'retry' as const, error: err('timed out'), run_at: later(60_000), outcome: 'timed_out' as const },
        { ...base(stopped), kind: 'interrupted' as const, reason: 'worker shutdown', ran: true },
        { ...base(handedBack), kind: 'interrupted' as const, reason: 'emergency stop', ran: false },
      ];
      assert.equal((await store.settle(sent)).length, 5);
      assert.deepEqual(await store.settle(sent), [], 'sent again, nothing lands twice');
      const earlier = await store.settledEarlier(sent);
      assert.deepEqual([...earlier].sort((x, y) => x - y), [done.id, failed.id, retried.id, stopped.id].sort((x, y) => x - y), 'a job handed back unstarted has no attempt to show it');

      // Ended by someone else before its settle came: the watchdog, an operator.
      assert.deepEqual((await store.reclaimExpired(new Date(Date.now() + 30_000))).retried, [lost.id]);
      assert.ok(await store.failRunningJob(byHand.id, 'w1', alice, 'upstream returned 503'));
      const late = [
        { ...base(lost), kind: 'completed' as const },
        { ...base(byHand), kind: 'failed' as const, error: err('upstream returned 503', 'fp-503'), outcome: 'failed' as const },
        { ...base(done, 'w2'), kind: 'completed' as const },
        { ...base(failed), kind: 'failed' as const, error: err('another error', 'fp-503'), outcome: 'failed' as const },
      ];
      assert.deepEqual(await store.settle(late), []);
      assert.deepEqual(await store.settledEarlier(late), [], 'recorded by others, by another worker, or otherwise than these say');
      assert.deepEqual(await store.settledEarlier([]), []);
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

    test("attempts the calling worker will settle itself are left to that settle, which gives a stopped attempt back after its lease ran out, dated when it ended", async (store) => {
      const stopped = await claimOne(store, { max_attempts: 1 }, 'w1', 1);
      const other = await claimOne(store, { max_attempts: 2 }, 'w1', 1);
      const past = new Date(Date.now() + 60_000);
      assert.deepEqual(await store.reclaimExpired(past, [stopped.attempt_id]), { retried: [other.id], failed: [], cancelled: [] }, 'only the attempt not named is taken back');
      assert.equal((await mustGet(store, stopped.id)).status, 'running');
      const endedAt = ago(20_000);
      const reason = 'its worker lost the store and stopped it';
      assert.deepEqual(await store.settle([{ ...base(stopped), kind: 'interrupted', reason, ran: true, ended_at: endedAt }]), [stopped.id], 'an expired lease does not fence out its own worker');
      const row = await mustGet(store, stopped.id);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 0, 'not spent: max_attempts 1 runs again');
      const attempt = only(await store.listAttempts(stopped.id));
      assert.equal(attempt.outcome, 'interrupted');
      assert.equal(attempt.error_message, reason);
      assert.equal(Date.parse(attempt.finished_at ?? ''), Date.parse(endedAt), 'ended when the program stopped, not when the settle landed');
      assert.deepEqual(await store.reclaimExpired(past, [stopped.attempt_id]), { retried: [], failed: [], cancelled: [] });
    });

    test("a reclaim limited to one worker takes back that worker's expired leases and leaves every other worker's", async (store) => {
      const mine = await claimOne(store, { max_attempts: 2 }, 'w1', 1);
      const kept = await claimOne(store, { max_attempts: 2 }, 'w1', 1);
      const theirs = await claimOne(store, { max_attempts: 2 }, 'w2', 1);
      const past = new Date(Date.now() + 60_000);
      assert.deepEqual(await store.reclaimExpired(past, [kept.attempt_id], 'w1'), { retried: [mine.id], failed: [], cancelled: [] });
      assert.equal((await mustGet(store, theirs.id)).status, 'running', "w2's job waits for w2");
      assert.equal((await mustGet(store, kept.id)).status, 'running', 'the attempt w1 will settle itself still waits for that settle');
      assert.deepEqual(await store.reclaimExpired(past, [kept.attempt_id]), { retried: [theirs.id], failed: [], cancelled: [] }, 'unlimited, it takes the others');
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

    test("an operator's cancel wins over the attempt ending in a retryable failure or an interruption after it", async (store) => {
      const retried = await claimOne(store, { max_attempts: 3 });
      const interrupted = await claimOne(store, { max_attempts: 3 });
      for (const c of [retried, interrupted]) await store.cancelJob(c.id, alice, 'wrong input');
      const landed = await store.settle([
        { ...base(retried), kind: 'retry', error: err('connection reset by peer', 'fp-reset'), run_at: later(0), outcome: 'failed' },
        { ...base(interrupted), kind: 'interrupted', reason: 'worker shutdown', ran: true },
      ]);
      assert.deepEqual(landed.sort(), [retried.id, interrupted.id].sort());
      for (const c of [retried, interrupted]) {
        const row = await mustGet(store, c.id);
        assert.equal(row.status, 'cancelled', `job ${c.id}`);
        assert.ok(row.completed_at);
      }
      assert.equal(only(await store.listAttempts(retried.id)).outcome, 'failed', 'the attempt keeps its own outcome');
      assert.equal(only(await store.listAttempts(interrupted.id)).outcome, 'interrupted');
      assert.deepEqual(await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE }), [], 'neither runs again');
      assert.deepEqual(await store.checkCounts(false), [], 'the kept counts say cancelled too');
    });
  });
}
