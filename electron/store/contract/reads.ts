import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { percentileOf } from '../../../shared/latencyBuckets.ts';
import { LANES_READ_MOST } from '../store.ts';
import type { Store } from '../store.ts';
import { alice, LEASE, job, err, ago, later, sleep, only, claimOne, base, deadLetter } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** What the console reads: listings, counts, throughput and latency. */
export function readsContract(test: ContractTest): void {
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
        [{ search: '' }, 5],
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

    test('jobs by failure class, as an attempt of that class, an HTTP family, or the lost attempts a watchdog records', async (store) => {
      const killed = await deadLetter(store, 'cruncher', { message: 'resource limit exceeded: cpu', error_class: 'resource_limit', fingerprint: 'fp-cpu' });
      const unavailable = await deadLetter(store, 'api', { message: 'HTTP 503', error_class: 'http_503', fingerprint: 'fp-503' });
      const retried = await claimOne(store, { service_name: 'api' });
      await store.settle([{ ...base(retried), kind: 'retry', error: { message: 'HTTP 502', error_class: 'http_502', fingerprint: 'fp-502' }, run_at: later(60_000), outcome: 'failed' }]);
      await deadLetter(store, 'api', { message: 'HTTP 404', error_class: 'http_404', fingerprint: 'fp-404' });
      const abandoned = await claimOne(store, { service_name: 'gone' }, 'w-dead', 1);
      await sleep(5);
      await store.reclaimExpired();
      const ids = async (error_class: string, extra: Parameters<Store['listJobs']>[0] = {}) =>
        (await store.listJobs({ ...extra, error_class }, { limit: 100 })).items.map((j) => j.id);
      assert.deepEqual(await ids('resource_limit'), [killed]);
      assert.deepEqual(await ids('http_5xx'), [retried.id, unavailable]);
      assert.deepEqual(await ids('http_5xx', { status: ['failed'] }), [unavailable]);
      assert.deepEqual(await ids('http_503'), [unavailable]);
      assert.deepEqual(await ids('lost'), [abandoned.id]);
      assert.deepEqual(await ids('timeout'), []);
      assert.equal(await store.countJobs({ error_class: 'http_5xx' }), 2);
      assert.equal(await store.countJobs({ error_class: 'http_4xx', service: 'api' }), 1);
    });

    test('recent failures: failed attempts grouped by service, class and fingerprint, retrying and dead, summed from the rollups', async (store) => {
      const window = new Date(Math.floor((Date.now() - 600_000) / 60_000) * 60_000);
      const unavailable = { message: 'HTTP 503 from GET /v1/models', error_class: 'http_503', fingerprint: 'fp-503' };
      for (let i = 0; i < 3; i++) {
        const retrying = await claimOne(store, { service_name: 'api' });
        await store.settle([{ ...base(retrying), kind: 'retry', error: unavailable, run_at: later(60_000), outcome: 'failed' }]);
      }
      await deadLetter(store, 'api', { ...unavailable, message: 'HTTP 503 from GET /v1/chat' });
      await deadLetter(store, 'cruncher', { message: 'resource limit exceeded: cpu', error_class: 'resource_limit', fingerprint: 'fp-cpu' });
      const fine = await claimOne(store, { service_name: 'api' });
      await store.settle([{ ...base(fine), kind: 'completed' }]);
      const interrupted = await claimOne(store, { service_name: 'api' });
      await store.settle([{ ...base(interrupted), kind: 'interrupted', reason: 'shutdown', ran: true }]);
      const failedByHand = await claimOne(store, { service_name: 'cruncher' }, 'w-gone');
      await store.failRunningJob(failedByHand.id, 'w-gone', alice, 'its host is gone');
      const stopped = await claimOne(store, { service_name: 'slow' });
      await store.cancelJob(stopped.id, alice, 'not needed any more');
      const timedOut = { message: 'timed out after 30 s', error_class: 'timeout', fingerprint: 'fp-timeout' };
      await store.settle([{ ...base(stopped), kind: 'retry', error: timedOut, run_at: later(60_000), outcome: 'timed_out' }]);
      await claimOne(store, { service_name: 'gone', max_attempts: 3 }, 'w-dead', 1);
      await claimOne(store, { service_name: 'gone-for-good', max_attempts: 1 }, 'w-dead', 1);
      await sleep(5);
      await store.reclaimExpired();

      const { groups, total } = await store.recentFailures(window, null, 100);
      const byKey = new Map(groups.map((g) => [`${g.service_name}/${g.error_class}`, g]));
      assert.equal(groups.length, 6, JSON.stringify(groups));
      assert.equal(total, 9, 'completions and interruptions are no failures');
      const api = byKey.get('api/http_503');
      assert.ok(api);
      assert.equal(api.fingerprint, 'fp-503');
      assert.deepEqual([api.failures, api.dead_lettered], [4, 1], 'three retrying, one dead');
      assert.equal(api.sample_error, 'HTTP 503 from GET /v1/chat', 'the latest error is the sample');
      assert.equal(groups[0], api, 'the largest group first');
      assert.ok(Date.parse(api.first_seen) >= window.getTime() && Date.parse(api.last_seen) <= Date.now());
      assert.deepEqual([byKey.get('cruncher/resource_limit')?.failures, byKey.get('cruncher/operator')?.dead_lettered], [1, 1]);
      const lost = byKey.get('gone/lost');
      assert.deepEqual([lost?.failures, lost?.dead_lettered, lost?.fingerprint], [1, 0, 'lease-expired:gone'], 'a lost lease with attempts left retries');
      const lostForGood = byKey.get('gone-for-good/lost');
      assert.deepEqual([lostForGood?.failures, lostForGood?.dead_lettered], [1, 1], 'a lost lease of the last attempt is a dead letter');
      const cancelWon = byKey.get('slow/timeout');
      assert.deepEqual([cancelWon?.failures, cancelWon?.dead_lettered], [1, 0], 'an attempt failed even when a cancel ended its job');
      for (const g of groups) assert.ok(Date.parse(g.first_seen) <= Date.parse(g.last_seen), `${g.service_name}: first seen before last`);

      const cruncher = await store.recentFailures(window, 'cruncher', 100);
      assert.deepEqual(cruncher.groups.map((g) => g.error_class).sort(), ['operator', 'resource_limit']);
      assert.equal(cruncher.total, 2);
      assert.deepEqual((await store.recentFailures(window, null, 1)).groups.map((g) => g.error_class), ['http_503']);
      assert.equal((await store.recentFailures(window, null, 1)).total, 9, 'the total counts beyond the groups returned');
      const none = await store.recentFailures(new Date(Date.now() + 120_000), null, 100);
      assert.deepEqual([none.groups, none.total], [[], 0]);
    });

    test('jobs by failure class rate_limited: those past max_retry_after and every HTTP 429, as a family', async (store) => {
      const tooMany = await deadLetter(store, 'api', { message: 'HTTP 429 from GET /v1: rate limit exceeded', error_class: 'http_429', fingerprint: 'fp-429' });
      const longWait = await deadLetter(store, 'api', { message: 'rate limited by api: Retry-After 600s exceeds max_retry_after 60s', error_class: 'rate_limited', fingerprint: 'fp-rl' });
      await deadLetter(store, 'api', { message: 'HTTP 503', error_class: 'http_503', fingerprint: 'fp-503' });
      const ids = async (error_class: string) => (await store.listJobs({ error_class }, { limit: 100 })).items.map((j) => j.id);
      assert.deepEqual(await ids('rate_limited'), [longWait, tooMany]);
      assert.equal(await store.countJobs({ error_class: 'rate_limited' }), 2);
      assert.deepEqual(await ids('http_429'), [tooMany], 'an exact class stays exact');
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

    test('the oldest pending job of each queue, across its services and priorities, due or not', async (store) => {
      const [oldest, older, tomorrow, later2h] = [ago(60_000), ago(600_000), later(86_400_000), later(7_200_000)];
      await store.enqueue([
        job('a', { queue: 'q1', priority: 5, run_at: oldest }),
        job('b', { queue: 'q1', priority: 0, run_at: older }),
        job('a', { queue: 'q1', priority: 0, run_at: tomorrow }),
        job('a', { queue: 'q2', priority: 9, run_at: later2h }),
        job('c', { queue: 'q2', priority: 1, run_at: tomorrow }),
      ]);
      // Alone in a queue of its own, and running: not pending.
      await claimOne(store, { run_at: ago(3_600_000) });
      const byQueue = (await store.oldestPendingByQueue())?.map((q) => [q.queue, Date.parse(q.run_at)]);
      assert.deepEqual(byQueue, [['q1', Date.parse(older)], ['q2', Date.parse(later2h)]], 'a running job is not pending');
      assert.equal(Date.parse((await store.oldestPendingRunAt()) ?? ''), Date.parse(older));
      const named = (await store.oldestPendingOf(['q2', 'nope', 'q2'])).map((q) => [q.queue, q.run_at === null ? null : Date.parse(q.run_at), q.read]);
      assert.deepEqual(named, [['q2', Date.parse(later2h), true], ['nope', null, true]], 'the queues named, once each, in order');
    });

    test('the oldest pending job of each queue is not read past LANES_READ_MOST lanes; queues named share that many', async (store) => {
      // A lane per priority: `many` gets lanes up to, then past, what a read takes on.
      const lanes = (from: number, to: number) => store.enqueue(Array.from({ length: to - from }, (_, i) => job('wide', { queue: 'many', priority: from + i })));
      await lanes(0, LANES_READ_MOST - 1);
      await store.enqueue([job('a', { queue: 'few', run_at: ago(60_000) })]);
      assert.deepEqual((await store.oldestPendingByQueue())?.map((q) => q.queue), ['few', 'many'], 'at the limit, read');
      await lanes(LANES_READ_MOST - 1, LANES_READ_MOST);
      assert.equal(await store.oldestPendingByQueue(), null, 'one lane more');
      const readOf = async (queues: string[]) => (await store.oldestPendingOf(queues)).map((q) => [q.queue, q.read]);
      assert.deepEqual(await readOf(['many']), [['many', true]], 'a queue named alone, at the limit');
      assert.deepEqual(await readOf(['few', 'many']), [['few', true], ['many', false]], 'the limit is shared: the queue past it is not read');
      assert.deepEqual(await readOf(['many', 'few']), [['many', true], ['few', false]], 'once the limit is spent, nor are the queues after');
      const few = (await store.oldestPendingOf(['few']))[0];
      assert.equal(Date.parse(few?.run_at ?? ''), Date.parse((await store.oldestPendingOf(['few', 'nope']))[0]?.run_at ?? 'x'));
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
    test('rollups by type: completed, dead-lettered and retried per type, and the completions\' duration buckets', async (store) => {
      const since = new Date(Date.now() - 60_000);
      for (let i = 0; i < 4; i++) {
        const claimed = await claimOne(store, { execution_type: 'http' });
        await sleep(i * 3);
        await store.settle([{ ...base(claimed), kind: 'completed' }]);
      }
      await deadLetter(store, 'svc', err('nope'), 'http');
      const retried = await claimOne(store, { execution_type: 'shell' });
      await store.settle([{ ...base(retried), kind: 'retry', error: err('again'), outcome: 'failed', run_at: later(60_000) }]);
      const shell = await claimOne(store, { execution_type: 'shell', service_name: 'other' });
      await store.settle([{ ...base(shell), kind: 'completed' }]);
      const cancelled = await claimOne(store, { execution_type: 'docker' });
      await store.settle([{ ...base(cancelled), kind: 'cancelled', reason: 'stop', ran: true }]);

      const rollups = await store.rollupsByType(since);
      const outcomes = [...rollups.outcomes].sort((a, b) => a.execution_type.localeCompare(b.execution_type));
      assert.deepEqual(outcomes, [
        { execution_type: 'http', completed: 4, failed: 1, retried: 0 },
        { execution_type: 'shell', completed: 1, failed: 0, retried: 1 },
      ], 'a type with only a cancellation has no row');
      const completedIn = (type: string) => rollups.latency.filter((l) => l.execution_type === type).reduce((n, l) => n + l.n, 0);
      assert.deepEqual([completedIn('http'), completedIn('shell'), completedIn('docker')], [4, 1, 0], 'one count per completion, in its type');
      assert.ok(rollups.latency.every((l) => Number.isInteger(l.bucket) && l.bucket >= 0 && l.n > 0));
      const buckets = new Map<number, number>();
      for (const l of rollups.latency.filter((row) => row.execution_type === 'http')) buckets.set(l.bucket, (buckets.get(l.bucket) ?? 0) + l.n);
      const p50 = percentileOf(buckets, 0.5);
      const http = (await store.latencyByType(since)).find((l) => l.execution_type === 'http');
      assert.equal(http?.p50_ms, p50 === null ? null : Math.round(p50 * 10) / 10, 'the same buckets the Overview reads');
      assert.deepEqual(await store.rollupsByType(new Date(Date.now() + 120_000)), { outcomes: [], latency: [] }, 'nothing after now');
    });
    test('rollups by service: one service\'s rows, or every service\'s, per type and service, from the minutes', async (store) => {
      const since = new Date(Date.now() - 60_000);
      for (const service_name of ['svc', 'svc', 'billing']) {
        const claimed = await claimOne(store, { execution_type: 'http', service_name });
        await store.settle([{ ...base(claimed), kind: 'completed' }]);
      }
      await deadLetter(store, 'billing', err('nope'), 'http');
      const shell = await claimOne(store, { execution_type: 'shell', service_name: 'billing' });
      await store.settle([{ ...base(shell), kind: 'retry', error: err('again'), outcome: 'failed', run_at: later(60_000) }]);

      const every = await store.rollupsByService(since, null);
      const byKey = (a: { service_name: string; execution_type: string }, b: { service_name: string; execution_type: string }) =>
        a.service_name.localeCompare(b.service_name) || a.execution_type.localeCompare(b.execution_type);
      assert.deepEqual([...every.outcomes].sort(byKey), [
        { execution_type: 'http', service_name: 'billing', completed: 1, failed: 1, retried: 0 },
        { execution_type: 'shell', service_name: 'billing', completed: 0, failed: 0, retried: 1 },
        { execution_type: 'http', service_name: 'svc', completed: 2, failed: 0, retried: 0 },
      ]);
      const completedOf = (rows: typeof every.latency, service: string) => rows.filter((l) => l.service_name === service).reduce((n, l) => n + l.n, 0);
      assert.deepEqual([completedOf(every.latency, 'svc'), completedOf(every.latency, 'billing')], [2, 1], 'one count per completion, in its service');
      const one = await store.rollupsByService(since, 'billing');
      assert.deepEqual([...one.outcomes].sort(byKey), every.outcomes.filter((o) => o.service_name === 'billing').sort(byKey), 'one service: its rows alone');
      assert.deepEqual([completedOf(one.latency, 'billing'), one.latency.length], [1, 1]);
      assert.deepEqual(await store.rollupsByService(since, 'nobody'), { outcomes: [], latency: [] });
      assert.deepEqual(await store.rollupsByService(new Date(Date.now() + 120_000), null), { outcomes: [], latency: [] }, 'nothing after now');
    });
  });

  describe('kept counts and rollups', () => {
    test('the overview counts come from the kept counts: by queue, by service, dead letters, stuck, scheduled up to a limit', async (store) => {
      await store.enqueue([
        job('a', { queue: 'q1' }),
        job('a', { queue: 'q1', run_at: later(3_600_000) }),
        job('a', { queue: 'q1', run_at: later(7_200_000), priority: 5 }),
        job('b', { queue: 'q2', run_at: later(3_600_000), priority: -2 }),
      ]);
      await deadLetter(store, 'c', err('boom'));
      await deadLetter(store, 'c', err('boom'));
      await claimOne(store, { service_name: 'd' }, 'w1', 1);
      await sleep(5);
      assert.deepEqual(await store.pendingByService(), { a: 3, b: 1 });
      assert.equal(await store.deadLetterCount(), 2);
      assert.equal(await store.stuckCount(), 1);
      assert.equal(await store.scheduledCount(100), 3);
      assert.equal(await store.scheduledCount(2), 2, 'the count stops at its limit');
      const counts = await store.countsByQueueAndStatus();
      assert.equal(counts.find((c) => c.queue === 'q1' && c.status === 'pending')?.count, 3);
      assert.equal(counts.filter((c) => c.status === 'failed').reduce((n, c) => n + c.count, 0), 2);
      assert.ok(counts.every((c) => c.count > 0), 'states a queue has no jobs in are left out');
      await store.dlqResolve({}, 'known', alice);
      assert.equal(await store.deadLetterCount(), 0, 'resolved dead letters are out of the open count');
    });

    test('each queue\'s jobs not yet due, counted up to a limit in all, and its open dead letters', async (store) => {
      await store.enqueue([
        job('a', { queue: 'q1', run_at: ago(60_000) }),
        job('a', { queue: 'q1', run_at: later(3_600_000) }),
        job('b', { queue: 'q1', run_at: later(7_200_000), priority: 5 }),
        job('a', { queue: 'q2', run_at: later(3_600_000) }),
        job('a', { queue: 'q2' }),
        job('c', { queue: 'q3', run_at: later(60_000) }),
        job('c', { queue: 'q3', run_at: later(120_000) }),
      ]);
      assert.deepEqual(await store.scheduledByQueue(100), { q1: 2, q2: 1, q3: 2 }, 'a due job is not counted');
      assert.deepEqual(await store.scheduledByQueue(5), { q1: 2, q2: 1, q3: 2 }, 'exactly as many as the limit');
      const stopped = await store.scheduledByQueue(4);
      assert.equal(Object.values(stopped).reduce((sum, n) => sum + n, 0), 4, 'the count stops at its limit, in all');
      assert.equal(await store.scheduledCount(100), 5, 'as the store-wide count has it');

      const failIn = async (queue: string) => {
        await store.enqueue([job('d', { queue })]);
        const claimed = only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, queues: [queue] }));
        await store.settle([{ ...base(claimed), kind: 'failed', error: err('boom'), outcome: 'failed' }]);
      };
      await failIn('dl-a');
      await failIn('dl-a');
      await failIn('dl-b');
      assert.deepEqual(await store.deadLettersByQueue(), { 'dl-a': 2, 'dl-b': 1 });
      await store.dlqResolve({ service: 'd' }, 'known', alice);
      assert.deepEqual(await store.deadLettersByQueue(), {}, 'resolved dead letters are out of it');
    });

    test('rollups add up to the jobs several workers finished, and latency counts every completion', async (store, handle) => {
      const workers: Store[] = [store];
      if (handle.openSecond) workers.push(await handle.openSecond(), await handle.openSecond());
      const services = ['alpha', 'beta', 'gamma'];
      await store.enqueue(Array.from({ length: 240 }, (_, i) => job(services[i % 3] ?? 'alpha', { queue: i % 2 ? 'q1' : 'q2', execution_type: i % 2 ? 'http' : 'shell', max_attempts: 2 })));
      await Promise.all(
        workers.map(async (worker, w) => {
          for (;;) {
            const claimed = await worker.claim({ workerId: `w${w}`, limit: 7, leaseMs: LEASE });
            if (claimed.length === 0) break;
            await worker.settle(
              claimed.map((c, i) =>
                c.id % 5 === 0
                  ? { ...base(c, `w${w}`), kind: 'failed' as const, error: err('nope'), outcome: 'failed' as const }
                  : c.id % 7 === 0 && c.attempt === 1
                    ? { ...base(c, `w${w}`), kind: 'retry' as const, error: err('again'), outcome: 'failed' as const, run_at: new Date().toISOString() }
                    : i % 11 === 3
                      ? { ...base(c, `w${w}`), kind: 'cancelled' as const, reason: 'stop', ran: true }
                      : { ...base(c, `w${w}`), kind: 'completed' as const },
              ),
            );
          }
        }),
      );
      const counted = async (status: 'completed' | 'failed' | 'cancelled') => (await store.listJobs({ status: [status] }, { limit: 1000 })).items.length;
      const buckets = await store.throughput(new Date(Date.now() - 3_600_000), 60);
      assert.equal(buckets.reduce((n, b) => n + b.completed, 0), await counted('completed'));
      assert.equal(buckets.reduce((n, b) => n + b.failed, 0), await counted('failed'));
      assert.ok((await counted('completed')) > 100 && (await counted('failed')) > 20, 'the test moved jobs every way');
      const latency = await store.latencyByType(new Date(Date.now() - 3_600_000));
      assert.equal(latency.reduce((n, l) => n + l.count, 0), await counted('completed'));
      assert.deepEqual(await store.pendingByService(), {});

      // The day by the hour, the day's durations and the figures per service add up to the same jobs read
      // from the minutes, and once the hours are summed (by type and by service) from those hours.
      const day = new Date(Date.now() - 24 * 3_600_000);
      const ofService = async (status: 'completed' | 'failed', service: string) =>
        (await store.listJobs({ status: [status], service }, { limit: 1000 })).items.length;
      const expected = {
        completed: await counted('completed'),
        failed: await counted('failed'),
        byService: await Promise.all(services.map(async (s) => [s, await ofService('completed', s), await ofService('failed', s)])),
      };
      const read = async () => {
        const hourly = await store.throughput(day, 3600);
        const every = await store.rollupsByService(day, null);
        const byService = await Promise.all(
          services.map(async (s) => {
            const one = await store.rollupsByService(day, s);
            const sum = (rows: typeof one.outcomes, key: 'completed' | 'failed') => rows.reduce((n, o) => n + o[key], 0);
            const byType = (rows: typeof one.outcomes) => [...rows].sort((a, b) => a.execution_type.localeCompare(b.execution_type));
            assert.deepEqual(byType(one.outcomes), byType(every.outcomes.filter((o) => o.service_name === s)), `${s}: its rows alone`);
            assert.equal(one.latency.reduce((n, l) => n + l.n, 0), sum(one.outcomes, 'completed'), `${s}: a duration per completion`);
            return [s, sum(one.outcomes, 'completed'), sum(one.outcomes, 'failed')];
          }),
        );
        return {
          completed: hourly.reduce((n, b) => n + b.completed, 0),
          failed: hourly.reduce((n, b) => n + b.failed, 0),
          durations: (await store.latencyByType(day)).reduce((n, l) => n + l.count, 0),
          byService,
        };
      };
      assert.deepEqual(await read(), { ...expected, durations: expected.completed }, 'from the minutes');
      for (let steps = 0; !(await store.sumRollupHours(new Date(Date.now() + 2 * 3_600_000), 48)).done; steps++) assert.ok(steps < 10);
      assert.deepEqual(await read(), { ...expected, durations: expected.completed }, 'from the summed hours');
      for (const worker of workers.slice(1)) await worker.close();
    });
  });

  test('migrationStatus reports a current schema', async (store) => {
    const status = await store.migrationStatus();
    assert.equal(status.current, true);
    assert.equal(status.pending, 0);
    assert.ok(status.applied >= 1);
  });
}
