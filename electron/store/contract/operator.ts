import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { newBreakerRecord } from '../../../shared/breakerRecord.ts';
import type { BreakerMode, BreakerState } from '../../../shared/domain.ts';
import { alice, ALICE, job, err, later, mustGet, only, claimOne, base, deadLetter, allJobIds, auditActions, LEASE } from './fixtures.ts';
import type { Store } from '../store.ts';
import type { ContractTest } from './fixtures.ts';

/** Each service and queue of these jobs once, by service then queue, as a retry lists them. */
async function lanesOfJobs(store: Store, ids: number[]): Promise<Array<{ service_name: string; queue: string }>> {
  const lanes = new Map<string, { service_name: string; queue: string }>();
  for (const j of await Promise.all(ids.map((id) => mustGet(store, id)))) lanes.set(`${j.service_name}\u0000${j.queue}`, { service_name: j.service_name, queue: j.queue });
  return [...lanes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, lane]) => lane);
}

/** Operator actions on jobs and dead letters, each audited, bulk ones all or nothing. */
export function operatorContract(test: ContractTest): void {
  describe('operator actions on jobs', () => {
    test('cancel: pending at once, running by request, audited', async (store) => {
      const [pending] = await store.enqueue([job('svc', { run_at: later(3_600_000) })]);
      assert.ok(pending);
      const cancelled = await store.cancelJob(pending.id, alice, 'not needed');
      assert.deepEqual([cancelled?.job.status, cancelled?.changed, cancelled?.request], ['cancelled', true, null]);
      const running = await claimOne(store);
      const requested = await store.cancelJob(running.id, alice, null);
      assert.equal(requested?.job.status, 'running');
      assert.equal(requested?.job.cancel_requested, true);
      assert.equal(requested?.changed, true);
      assert.deepEqual({ ...requested?.request, at: undefined }, { by: ALICE, at: undefined, reason: null, workflow_run: null });
      assert.deepEqual(await store.cancelRequested('w1'), [running.id]);
      assert.deepEqual(await store.cancelRequested('w2'), []);
      assert.deepEqual(await store.settle([{ ...base(running), kind: 'cancelled', reason: 'operator', ran: true }]), [running.id]);
      assert.equal((await mustGet(store, running.id)).status, 'cancelled');
      assert.equal(only(await store.listAttempts(running.id)).outcome, 'cancelled');
      assert.deepEqual(await store.cancelRequested('w1'), []);
      const audits = (await auditActions(store)).filter((a) => a.action === 'job.cancel');
      assert.equal(audits.length, 2);
      assert.ok(audits.every((a) => a.actor === ALICE && a.job_count === 1));
      assert.ok(audits.some((a) => a.target === String(pending.id)));
      const done = await claimOne(store);
      await store.settle([{ ...base(done), kind: 'completed' }]);
      assert.deepEqual(await store.cancelJob(done.id, alice, null).then((c) => [c?.job.status, c?.changed]), ['completed', false]);
      assert.equal((await auditActions(store)).filter((a) => a.action === 'job.cancel').length, 2, 'a refused cancel is not audited');
      assert.equal(await store.cancelJob(987_654, alice, null), null);
    });

    test('cancel of a running job already asked to stop changes nothing, is not audited, and answers with the request in force', async (store) => {
      const running = await claimOne(store);
      const first = await store.cancelJob(running.id, alice, 'wrong customer');
      const request = first?.request;
      assert.ok(request, 'the first cancel asked it to stop');
      const bob = { user: 'bob', host: 'desk' };
      const again = await store.cancelJob(running.id, bob, 'me too');
      assert.deepEqual(again, { job: await mustGet(store, running.id), changed: false, request });
      assert.deepEqual(request, { by: ALICE, at: request.at, reason: 'wrong customer', workflow_run: null });
      const audits = (await auditActions(store)).filter((a) => a.action === 'job.cancel');
      assert.deepEqual(audits.map((a) => [a.actor, a.at]), [[ALICE, request.at]], 'one request, audited once, at the time the answer gives');
    });

    test('two operators cancelling one running job at once: one asks, the other is told it was asked', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        const running = await claimOne(store);
        const bob = { user: 'bob', host: 'desk' };
        const both = await Promise.all([store.cancelJob(running.id, alice, 'from alice'), other.cancelJob(running.id, bob, 'from bob')]);
        assert.deepEqual(both.map((c) => c?.changed).sort(), [false, true]);
        const [winner, loser] = both[0]?.changed ? both : [both[1], both[0]];
        assert.deepEqual(loser?.request, winner?.request, 'the one told "nothing changed" is told of the request that did');
        assert.equal((await auditActions(store)).filter((a) => a.action === 'job.cancel').length, 1);
      } finally {
        await other.close();
      }
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

    test("a group's first and last seen are its earliest and latest failure, a retried old job's new failure included", async (store) => {
      const older = await deadLetter(store, 'alpha', err('connection reset', 'fp-reset'));
      await new Promise((resolve) => setTimeout(resolve, 15));
      const newer = await deadLetter(store, 'alpha', err('connection reset', 'fp-reset'));
      await new Promise((resolve) => setTimeout(resolve, 15));
      assert.equal((await store.dlqRetry({ job_ids: [older] }, alice)).retried, 1);
      const again = only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: 60_000 }));
      assert.equal(again.id, older);
      await store.settle([{ ...base(again), kind: 'failed', error: err('connection reset again', 'fp-reset'), outcome: 'failed' }]);
      const failedAt = async (id: number) => (await mustGet(store, id)).completed_at ?? '';
      for (const filter of [{}, { service: 'alpha' }]) {
        const [group] = await store.dlqGroups(filter);
        assert.ok(group);
        assert.deepEqual(
          [group.first_seen, group.last_seen, group.sample_job_id, group.sample_error],
          [await failedAt(newer), await failedAt(older), older, 'connection reset again'],
          JSON.stringify(filter),
        );
      }
    });

    test("a group's dead letters are listed newest failure first, whatever their ids, in pages that neither skip nor repeat", async (store) => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await deadLetter(store, 'alpha', err('connection reset', 'fp-order')));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await deadLetter(store, 'alpha', err('other', 'fp-other'));
      const [oldest, middle, newest] = ids;
      assert.ok(oldest !== undefined && middle !== undefined && newest !== undefined);
      // The oldest job, retried, fails again: the group's newest failure under its oldest id.
      assert.equal((await store.dlqRetry({ job_ids: [oldest] }, alice)).retried, 1);
      const again = only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: 60_000 }));
      await store.settle([{ ...base(again), kind: 'failed', error: err('connection reset', 'fp-order'), outcome: 'failed' }]);
      const group = { fingerprint: 'fp-order' };
      const first = await store.dlqList(group, { limit: 2 });
      assert.deepEqual(first.items.map((j) => j.id), [oldest, newest]);
      const second = await store.dlqList(group, { limit: 2, after: first.next_cursor });
      assert.deepEqual(second.items.map((j) => j.id), [middle]);
      assert.equal(second.next_cursor, null);
      const times = [...first.items, ...second.items].map((j) => Date.parse(j.completed_at ?? ''));
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'as their failure times read');
      // Any other selector lists newest id first, and each order refuses the other's cursor.
      assert.deepEqual((await store.dlqList({ service: 'alpha' }, { limit: 10 })).items.map((j) => j.id).slice(1), [newest, middle, oldest]);
      const byId = (await store.dlqList({ service: 'alpha' }, { limit: 1 })).next_cursor;
      await assert.rejects(store.dlqList(group, { limit: 1, after: byId }), /invalid page cursor/);
      await assert.rejects(store.dlqList({ service: 'alpha' }, { limit: 1, after: first.next_cursor }), /invalid page cursor/);
    });

    test('text searches ignore the case of every letter, accented ones included', async (store) => {
      const id = await deadLetter(store, 'svc', err('Ünïcødé ÉCHEC total', 'fp-echec'));
      await deadLetter(store, 'svc', err('plain failure', 'fp-plain'));
      for (const search of ['échec', 'ÉCHEC', 'ünïcødé', 'ÜNÏCØDÉ écHEC', 'c total']) {
        assert.deepEqual((await store.listJobs({ search }, { limit: 10 })).items.map((j) => j.id), [id], `jobs: ${search}`);
        assert.deepEqual((await store.dlqList({ search }, { limit: 10 })).items.map((j) => j.id), [id], `dlq: ${search}`);
        assert.equal(await store.dlqCount({ search }), 1, `count: ${search}`);
        assert.deepEqual((await store.dlqGroups({ search })).map((g) => g.fingerprint), ['fp-echec'], `groups: ${search}`);
      }
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
      for (const search of ['%', 'a_b', '_', "'; DROP TABLE", '💥', 'ünïcödé', '\\temp\\', 'PLAIN', 'nothing like this']) {
        const grouped = (await store.dlqGroups({ search })).reduce((sum, g) => sum + g.count, 0);
        const counted = await store.dlqCount({ search });
        assert.equal(grouped, counted, `the groups searched for ${search} hold what the list finds`);
        assert.equal((await store.dlqList({ search }, { limit: 100 })).items.length, counted, `the list searched for ${search}`);
      }
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
      assert.equal((await store.dlqRetry({ fingerprint: 'fp-quota' }, alice)).retried, 2);
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
      assert.equal((await store.dlqRetry({ fingerprint: 'fp-quota' }, alice)).retried, 0, 'pending jobs are not dead letters');
    });

    test('retry counts, of what it sent back, what each breaker dispatch obeys as not closed holds', async (store) => {
      const fp = 'fp-503';
      const sent: number[] = [];
      for (const service of ['opened', 'opened', 'probing', 'forced-open', 'forced-closed', 'no-breaker']) sent.push(await deadLetter(store, service, err('upstream returned 503', fp)));
      const sentQueues = [...new Set(await Promise.all(sent.map(async (id) => (await store.getJob(id))?.queue ?? '')))].sort();
      await deadLetter(store, 'not-retried', err('bad input', 'fp-input'));
      const at = new Date();
      const record = (service: string, state: BreakerState, mode: BreakerMode = 'auto') => ({ ...newBreakerRecord(service, at), state, mode, opened_at: state === 'closed' ? null : at.toISOString(), version: 1 });
      for (const saved of [record('opened', 'open'), record('probing', 'half_open'), record('forced-open', 'closed', 'force_open'), record('forced-closed', 'open', 'force_closed'), record('not-retried', 'open')]) {
        assert.equal(await store.saveBreaker(saved, null), true);
      }
      const lanes = await lanesOfJobs(store, sent);
      assert.deepEqual(await store.dlqRetry({ fingerprint: fp }, alice), {
        retried: 6,
        held_by_breaker: [
          { service_name: 'forced-open', mode: 'force_open', state: 'open', jobs: 1 },
          { service_name: 'opened', mode: 'auto', state: 'open', jobs: 2 },
          { service_name: 'probing', mode: 'auto', state: 'half_open', jobs: 1 },
        ],
        queues: sentQueues,
        job_ids: [...sent].sort((a, b) => a - b),
        job_ids_more: 0,
        lanes,
      });
      assert.deepEqual(await store.dlqRetry({ fingerprint: fp }, alice), { retried: 0, held_by_breaker: [], queues: [], job_ids: [], job_ids_more: 0, lanes: [] }, 'nothing sent back, nothing held');
    });

    test('a dry run of a retry changes nothing and says what the retry that follows does: its count, breakers, queues and control', async (store) => {
      const fp = 'fp-503';
      const sent: number[] = [];
      for (const service of ['opened', 'opened', 'probing', 'forced-open', 'no-breaker']) sent.push(await deadLetter(store, service, err('upstream returned 503', fp)));
      const queueOf = async (id: number) => (await mustGet(store, id)).queue;
      const sentQueues = (await Promise.all(sent.map(queueOf))).sort();
      const other = await deadLetter(store, 'opened', err('bad input', 'fp-input'));
      const at = new Date();
      const record = (service: string, state: BreakerState, mode: BreakerMode = 'auto') => ({ ...newBreakerRecord(service, at), state, mode, opened_at: at.toISOString(), version: 1 });
      for (const saved of [record('opened', 'open'), record('probing', 'half_open'), record('forced-open', 'closed', 'force_open')]) assert.equal(await store.saveBreaker(saved, null), true);
      await store.setQueuePaused(sentQueues[0] ?? '', true, alice, 'upstream migration');
      await store.setQueuePaused(await queueOf(other), true, alice, 'not retried');
      await store.setSafeMode(true, alice, 'deploy');
      const audited = (await auditActions(store)).length;

      const preview = await store.dlqRetryPreview({ fingerprint: fp });
      assert.deepEqual({ ...preview, control: undefined }, {
        matched: 5,
        held_by_breaker: [
          { service_name: 'forced-open', mode: 'force_open', state: 'open', jobs: 1 },
          { service_name: 'opened', mode: 'auto', state: 'open', jobs: 2 },
          { service_name: 'probing', mode: 'auto', state: 'half_open', jobs: 1 },
        ],
        queues: sentQueues,
        control: undefined,
        open_ids: null,
        job_ids: [...sent].sort((a, b) => a - b),
        job_ids_more: 0,
        lanes: await lanesOfJobs(store, sent),
      });
      assert.deepEqual(preview.control, await store.getControl(), 'the control plane as it stands');
      assert.equal(await store.dlqCount({ fingerprint: fp }), 5, 'nothing sent back');
      assert.equal((await auditActions(store)).length, audited, 'a dry run is not audited: it changed nothing');

      const retried = await store.dlqRetry({ fingerprint: fp }, alice);
      const { job_ids, job_ids_more, lanes } = preview;
      assert.deepEqual(retried, { retried: preview.matched, held_by_breaker: preview.held_by_breaker, queues: preview.queues, job_ids, job_ids_more, lanes });
      assert.deepEqual({ ...(await store.dlqRetryPreview({ fingerprint: fp })), control: undefined }, {
        matched: 0,
        held_by_breaker: [],
        queues: [],
        control: undefined,
        open_ids: null,
        job_ids: [],
        job_ids_more: 0,
        lanes: [],
      });
    });

    test('a retry and its dry run name the first 100 jobs by id and count the rest, as the audit row does', async (store) => {
      await store.enqueue(Array.from({ length: 102 }, () => job('bulk', { queue: 'bulk', max_attempts: 1 })));
      const claimed = await store.claim({ workerId: 'w1', limit: 102, leaseMs: LEASE, queues: ['bulk'] });
      assert.equal(claimed.length, 102);
      await store.settle(claimed.map((c) => ({ ...base(c), kind: 'failed' as const, error: err('timeout', 'fp-bulk'), outcome: 'failed' as const })));
      const ids = claimed.map((c) => c.id).sort((a, b) => a - b);
      const expected = { job_ids: ids.slice(0, 100), job_ids_more: 2, lanes: [{ service_name: 'bulk', queue: 'bulk' }] };
      const preview = await store.dlqRetryPreview({ fingerprint: 'fp-bulk' });
      assert.deepEqual({ job_ids: preview.job_ids, job_ids_more: preview.job_ids_more, lanes: preview.lanes }, expected);
      const retried = await store.dlqRetry({ fingerprint: 'fp-bulk' }, alice);
      assert.deepEqual({ job_ids: retried.job_ids, job_ids_more: retried.job_ids_more, lanes: retried.lanes }, expected);
      const audit = (await auditActions(store)).find((e) => e.action === 'dlq.retry');
      assert.deepEqual([audit?.details?.job_ids, audit?.details?.job_ids_more], [expected.job_ids, 2], 'the same ids as the audit row');
    });

    test('a dry run of a retry by ids says which of them are open dead letters, whatever else the selector names', async (store) => {
      const a = await deadLetter(store, 'alpha', err('quota exceeded'));
      const b = await deadLetter(store, 'beta', err('quota exceeded'));
      const running = await claimOne(store);
      const preview = await store.dlqRetryPreview({ job_ids: [b, a, running.id, 987_654], service: 'alpha' });
      assert.deepEqual([preview.matched, preview.open_ids], [1, [a, b]]);
      assert.deepEqual((await store.dlqRetryPreview({ job_ids: [987_654] })).open_ids, []);
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
      // A search pages the same way, whichever of its fields narrow it, and never shows a resolved one.
      const searched = await store.dlqList({ search: 'E' }, { limit: 3 });
      assert.deepEqual(searched.items.map((j) => j.id), [ids[4], ids[3], ids[2]]);
      const rest = await store.dlqList({ search: 'E' }, { limit: 3, after: searched.next_cursor });
      assert.deepEqual(rest.items.map((j) => j.id), [ids[1], ids[0]]);
      assert.equal(rest.next_cursor, null);
      assert.deepEqual((await store.dlqList({ search: 'e', service: 'beta' }, { limit: 10 })).items.map((j) => j.id), [ids[4], ids[3]]);
      assert.deepEqual((await store.dlqList({ search: 'gone' }, { limit: 10 })).items, []);
      assert.deepEqual((await store.dlqList({ search: '', service: 'beta' }, { limit: 10 })).items.map((j) => j.id), [ids[4], ids[3]], 'an empty search narrows nothing');
    });
  });
}
