import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { calls, COUNT_CAP, THROUGHPUT_WINDOW_MIN, type ApiResponse } from '../../shared/contract.ts';
import { DLQ_GROUP_LIMIT, type Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { failure, ok } from './testing/responses.ts';

const REGISTRY = `
services:
  - name: reports
    execution_type: shell
    queue: nightly
    runner_config:
      command: ["/bin/echo"]
      payload_args: true
    security_policy:
      allowed_commands: ["/bin/echo"]
    retry_config: { max_retries: 5 }
  - name: smoke
    execution_type: noop
`;

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function context(registry?: string): Promise<TestContext> {
  t = await createTestContext(registry);
  return t;
}

describe('jobs.enqueue', () => {
  it('without a registry accepts any service as a noop on the default queue', async () => {
    const { ctx, store } = await context();
    const out = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'demo' }, ctx)));
    const job = await store.getJob(out.id);
    assert.equal(job?.execution_type, 'noop');
    assert.equal(job?.queue, 'default');
    assert.equal(job?.service_name, 'demo');
  });

  it('with a registry takes queue, type and attempts from the service', async () => {
    const { ctx, store } = await context(REGISTRY);
    ok(await dispatch('jobs.enqueue', { service: 'reports', identifier: 'r-1', payload: { args: ['x'] } }, ctx));
    const job = await store.getJob('r-1');
    assert.equal(job?.execution_type, 'shell');
    assert.equal(job?.queue, 'nightly');
    assert.equal(job?.max_attempts, 6);
    assert.deepEqual(job?.payload, { args: ['x'] });
  });

  it('refuses args for a service that takes none, naming the setting, and enqueues nothing', async () => {
    const { ctx, store } = await context(`
services:
  - name: lister
    execution_type: shell
    runner_config:
      command: ["/usr/bin/find", "/data"]
    security_policy:
      allowed_commands: ["/usr/bin/find"]
`);
    const err = failure(await dispatch('jobs.enqueue', { service: 'lister', payload: { args: ['-exec', '/bin/sh', ';'] } }, ctx));
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /service 'lister' takes no payload\.args.*payload_args: true/);
    const many = await dispatch('jobs.enqueueMany', { service: 'lister', jobs: [{}, { payload: { args: ['-delete'] } }] }, ctx);
    assert.equal(many.ok ? null : many.error.issues?.[0]?.path, 'jobs[1].payload.args');
    assert.equal((await store.listJobs({}, { limit: 5 })).items.length, 0);
    ok(await dispatch('jobs.enqueue', { service: 'lister', payload: { note: 'no args' } }, ctx));
  });

  it('refuses a service the registry does not know, naming the ones it does', async () => {
    const { ctx, auditCount } = await context(REGISTRY);
    const before = await auditCount();
    const err = failure(await dispatch('jobs.enqueue', { service: 'nope' }, ctx));
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'service nope is not in the registry (known: reports, smoke)');
    assert.equal(await auditCount(), before);
  });

  it('is idempotent by identifier and audits only what it created', async () => {
    const { ctx, store, auditCount } = await context();
    const a = ok(await dispatch('jobs.enqueue', { service: 'demo', identifier: 'same' }, ctx));
    const b = ok(await dispatch('jobs.enqueue', { service: 'demo', identifier: 'same' }, ctx));
    assert.deepEqual(b, { ...calls['jobs.enqueue'].output.parse(a), created: false });
    assert.equal(await store.countJobs({}), 1);
    assert.equal(await auditCount(), 1);
  });

  it('enqueueMany adds a batch in one call', async () => {
    const { ctx, store } = await context(REGISTRY);
    const out = calls['jobs.enqueueMany'].output.parse(ok(await dispatch('jobs.enqueueMany', { service: 'smoke', jobs: [{ identifier: 'a' }, { identifier: 'b', priority: 5 }, {}] }, ctx)));
    assert.equal(out.created, 3);
    assert.equal(await store.countJobs({ service: 'smoke' }), 3);
  });
});

describe('single jobs', () => {
  it('gets a job by id or identifier with its attempts, cancels it once, and retries it', async () => {
    const { ctx, store } = await context();
    const created = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'demo', identifier: '12345' }, ctx)));
    const byIdentifier = calls['jobs.get'].output.parse(ok(await dispatch('jobs.get', { id: '12345' }, ctx)));
    assert.equal(byIdentifier.job.id, created.id);
    const byId = calls['jobs.get'].output.parse(ok(await dispatch('jobs.get', { id: created.id }, ctx)));
    assert.deepEqual([byId.job.identifier, byId.attempts, byId.stuck], ['12345', [], false]);
    assert.equal(failure(await dispatch('jobs.get', { id: 999 }, ctx)).code, 'not_found');

    const cancelled = calls['jobs.cancel'].output.parse(ok(await dispatch('jobs.cancel', { id: created.id, reason: 'not needed' }, ctx)));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(failure(await dispatch('jobs.cancel', { id: created.id }, ctx)).code, 'conflict');
    const retried = calls['jobs.retry'].output.parse(ok(await dispatch('jobs.retry', { id: created.id }, ctx)));
    assert.equal(retried.status, 'pending');
    assert.equal(failure(await dispatch('jobs.retry', { id: created.id }, ctx)).code, 'conflict');
    assert.equal((await store.listAudit({ action: 'job.cancel' }, { limit: 5 })).items.length, 1);
  });

  it('lists with filters and pages', async () => {
    const { ctx } = await context();
    ok(await dispatch('jobs.enqueueMany', { service: 'a', jobs: [{}, {}, {}] }, ctx));
    ok(await dispatch('jobs.enqueue', { service: 'b' }, ctx));
    const first = calls['jobs.list'].output.parse(ok(await dispatch('jobs.list', { filter: { service: 'a' }, limit: 2 }, ctx)));
    assert.equal(first.jobs.length, 2);
    assert.ok(first.next_cursor);
    const second = calls['jobs.list'].output.parse(ok(await dispatch('jobs.list', { filter: { service: 'a' }, limit: 2, after: first.next_cursor }, ctx)));
    assert.deepEqual([second.jobs.length, second.next_cursor], [1, null]);
    assert.equal(failure(await dispatch('jobs.list', { after: 'garbage!!' }, ctx)).code, 'invalid_input');
  });
});

/** A dead-letter retry's counts and holds, without the jobs it names, those no worker runs and its note (asserted on their own). */
function counted(response: ApiResponse) {
  const { job_ids: _ids, job_ids_more: _more, unserved: _unserved, note: _note, ...rest } = calls['dlq.retry'].output.parse(ok(response));
  return rest;
}

describe('dead-letter triage', () => {
  it('groups by fingerprint with counts, and a dry run changes nothing', async () => {
    const { ctx, store, deadLetters, auditCount } = await context();
    await deadLetters('billing', 3, 'upstream returned 503');
    await deadLetters('imports', 2, 'invalid payload');
    const groups = calls['dlq.groups'].output.parse(ok(await dispatch('dlq.groups', {}, ctx)));
    assert.equal(groups.total, 5);
    assert.deepEqual(
      groups.groups.map((g) => [g.services.join(), g.count]).sort(),
      [['billing', 3], ['imports', 2]],
    );

    const auditBefore = await auditCount();
    const billing = (await store.dlqList({ service: 'billing' }, { limit: 10, after: null })).items.map((j) => j.id).sort((a, b) => a - b);
    const dry = calls['dlq.retry'].output.parse(ok(await dispatch('dlq.retry', { selector: { service: 'billing' }, dry_run: true }, ctx)));
    const { job_ids, note, unserved, ...dryCounts } = dry;
    assert.deepEqual(dryCounts, { dry_run: true, matched: 3, affected: 0 });
    assert.deepEqual(job_ids, billing, 'the jobs it would send back');
    assert.match(note, /^would retry 3 dead letters; no live worker runs them: billing \(queue \S+\): no worker is running \(start one: /);
    assert.equal(unserved?.length, 1);
    assert.equal(await store.dlqCount({}), 5);
    assert.equal(await auditCount(), auditBefore);

    const real = calls['dlq.retry'].output.parse(ok(await dispatch('dlq.retry', { selector: { service: 'billing' } }, ctx)));
    assert.deepEqual({ ...real, note: undefined }, { ...dry, dry_run: false, affected: 3, note: undefined }, 'the retry sent back what the dry run said');
    assert.match(real.note, /^retried 3 dead letters; no live worker runs them: /);
    assert.equal(await store.dlqCount({}), 2);
    assert.equal(await store.countJobs({ service: 'billing', status: ['pending'] }), 3);
    const entries = await store.listAudit({ action: 'dlq.retry' }, { limit: 10 });
    assert.equal(entries.items.length, 1);
    assert.equal(entries.items[0]?.job_count, 3);
    assert.equal(entries.items[0]?.actor, 'tester@test-host');
  });

  it('with more groups than it returns, says so and still counts every dead letter', async () => {
    const { ctx, store } = await context();
    const n = DLQ_GROUP_LIMIT + 5;
    await store.enqueue(Array.from({ length: n }, () => ({ queue: 'many', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1 })));
    const claimed = [];
    for (let batch = await store.claim({ workerId: 'w', limit: n, leaseMs: 60_000, queues: ['many'] }); batch.length > 0; ) {
      claimed.push(...batch);
      batch = await store.claim({ workerId: 'w', limit: n, leaseMs: 60_000, queues: ['many'] });
    }
    assert.equal(claimed.length, n);
    await store.settle(
      claimed.map((c, i) => ({
        jobId: c.id,
        attemptId: c.attempt_id,
        workerId: 'w',
        kind: 'failed' as const,
        outcome: 'failed' as const,
        error: { message: `failure number ${i}`, error_class: 'test', fingerprint: `fp-${i}` },
      })),
    );
    const all = calls['dlq.groups'].output.parse(ok(await dispatch('dlq.groups', {}, ctx)));
    assert.equal(all.groups.length, DLQ_GROUP_LIMIT);
    assert.equal(all.truncated, true);
    assert.equal(all.total, n, 'the dead letters of the groups left out are counted');
    const some = calls['dlq.groups'].output.parse(ok(await dispatch('dlq.groups', { search: 'failure number 100' }, ctx)));
    assert.deepEqual([some.truncated, some.total], [false, 6], '100 and 1000 to 1004');
  });

  it('resolves with a note, then purges resolved ones older than a date', async () => {
    const { ctx, store, deadLetters } = await context();
    const ids = await deadLetters('imports', 4, 'invalid payload');
    const resolved = ok(await dispatch('dlq.resolve', { selector: { job_ids: ids.slice(0, 3) }, note: 'bad export, fixed' }, ctx));
    assert.deepEqual(resolved, { dry_run: false, matched: 3, affected: 3 });
    assert.equal(await store.dlqCount({}), 1);
    assert.equal((await store.getJob(ids[0] ?? 0))?.resolution, 'bad export, fixed');

    const future = new Date(Date.now() + 60_000).toISOString();
    assert.deepEqual(ok(await dispatch('dlq.purge', { before: future, dry_run: true }, ctx)), { dry_run: true, matched: 3, affected: 0 });
    assert.deepEqual(ok(await dispatch('dlq.purge', { before: future }, ctx)), { dry_run: false, matched: 3, affected: 3 });
    assert.equal(await store.getJob(ids[0] ?? 0), null);
    assert.ok(await store.getJob(ids[3] ?? 0));
    assert.equal((await store.listAudit({ action: 'dlq.purge' }, { limit: 5 })).items.length, 1);
  });

  it('a bulk action on every dead letter must say all: an empty selector or an empty search is refused, and nothing changes', async () => {
    const { ctx, store, deadLetters } = await context();
    await deadLetters('billing', 3, 'upstream returned 503');
    for (const selector of [{}, { search: '' }, { all: true as const, service: 'billing' }]) {
      for (const call of ['dlq.retry', 'dlq.resolve'] as const) {
        const input = call === 'dlq.retry' ? { selector } : { selector, note: 'the 503s' };
        const err = failure(await dispatch(call, input, ctx));
        assert.equal(err.code, 'invalid_input', `${call} ${JSON.stringify(selector)}`);
      }
    }
    assert.equal(await store.dlqCount({}), 3);
    const ids = (await store.listJobs({ service: 'billing' }, { limit: 10 })).items.map((j) => j.id).sort((a, b) => a - b);
    assert.deepEqual(ok(await dispatch('dlq.resolve', { selector: { all: true }, note: 'all of them' }, ctx)), { dry_run: false, matched: 3, affected: 3 });
    const [entry] = (await store.listAudit({ action: 'dlq.resolve' }, { limit: 5 })).items;
    assert.deepEqual(entry?.details, { selector: { all: true }, note: 'all of them', job_ids: ids });
  });

  it('names the ids of a selection that are no open dead letter; none open at all is a 404', async () => {
    const { ctx, store, deadLetters } = await context();
    const [first, second] = await deadLetters('billing', 2, 'upstream returned 503');
    const unknown = failure(await dispatch('dlq.resolve', { selector: { job_ids: [99_999] }, note: 'checked' }, ctx));
    assert.deepEqual([unknown.code, unknown.message], ['not_found', 'no open dead letter has the id 99999']);
    const partly = counted(await dispatch('dlq.retry', { selector: { job_ids: [first ?? 0, 99_999] } }, ctx));
    assert.deepEqual(partly, { dry_run: false, matched: 1, affected: 1, unmatched_ids: [99_999] });
    assert.equal((await store.getJob(second ?? 0))?.status, 'failed', 'only what was named changed');
  });

  it('a note is required to resolve, not to count what a resolve would take', async () => {
    const { ctx, store, deadLetters } = await context();
    await deadLetters('billing', 2, 'upstream returned 503');
    assert.equal(failure(await dispatch('dlq.resolve', { selector: {}, note: '   ' }, ctx)).code, 'invalid_input');
    const noNote = await dispatch('dlq.resolve', { selector: { service: 'billing' } }, ctx);
    assert.equal(failure(noNote).code, 'invalid_input');
    assert.equal(noNote.ok ? null : noNote.error.issues?.[0]?.path, 'note');
    assert.deepEqual(ok(await dispatch('dlq.resolve', { selector: { service: 'billing' }, dry_run: true }, ctx)), { dry_run: true, matched: 2, affected: 0 });
    assert.equal(await store.dlqCount({}), 2, 'nothing resolved');
  });

  it('a retry names the services whose breaker holds the jobs it sends back, with their count', async () => {
    const { ctx, deadLetters } = await context();
    await deadLetters('billing', 3, 'upstream returned 503');
    await deadLetters('imports', 2, 'upstream returned 503');
    ok(await dispatch('breakers.setMode', { service: 'billing', mode: 'force_open', reason: 'vendor outage' }, ctx));
    ok(await dispatch('breakers.setMode', { service: 'imports', mode: 'force_closed' }, ctx));
    const held = [{ service_name: 'billing', mode: 'force_open', state: 'open', jobs: 3 }];
    assert.deepEqual(counted(await dispatch('dlq.retry', { selector: { search: '503' }, dry_run: true }, ctx)), { dry_run: true, matched: 5, affected: 0, held_by_breaker: held });
    assert.deepEqual(counted(await dispatch('dlq.retry', { selector: { service: 'imports' } }, ctx)), { dry_run: false, matched: 2, affected: 2 }, 'a closed breaker holds nothing');
    assert.deepEqual(counted(await dispatch('dlq.retry', { selector: { search: '503' } }, ctx)), { dry_run: false, matched: 3, affected: 3, held_by_breaker: held });
  });
});

describe('breakers, control and the registry', () => {
  it('pauses a queue the registry or the jobs name; a typo is refused with the known queues unless forced; resuming one not paused is a no-op', async () => {
    const { ctx, store } = await context(REGISTRY);
    await store.enqueue([{ queue: 'imports', service_name: 'smoke', execution_type: 'noop', max_attempts: 1 }]);
    const typo = failure(await dispatch('control.pauseQueue', { queue: 'nightyl', paused: true }, ctx));
    assert.equal(typo.code, 'not_found');
    assert.equal(typo.message, 'no queue named nightyl: no service, schedule or job uses it (known: default, imports, nightly); pausing with force pauses it all the same');
    ok(await dispatch('control.pauseQueue', { queue: 'nightly', paused: false }, ctx));
    ok(await dispatch('control.pauseQueue', { queue: 'nightly', paused: true }, ctx));
    ok(await dispatch('control.pauseQueue', { queue: 'imports', paused: true }, ctx));
    const state = calls['control.get'].output.parse(ok(await dispatch('control.get', {}, ctx)));
    assert.deepEqual(state.paused_queues.map((q) => q.queue).sort(), ['imports', 'nightly']);
    ok(await dispatch('control.pauseQueue', { queue: 'not-yet', paused: true, force: true }, ctx));
    ok(await dispatch('control.pauseQueue', { queue: 'not-yet', paused: false }, ctx));
    ok(await dispatch('control.pauseQueue', { queue: 'nightly', paused: false }, ctx));
    assert.equal((await store.listAudit({ action: 'queue.pause' }, { limit: 5 })).items.length, 3, 'only what changed is audited');
  });

  it("an emergency stop counts the running jobs it asks to stop, those whose service says on_interrupt: fail apart, and the pending ones it holds", async () => {
    const { ctx, store } = await context(`${REGISTRY}    on_interrupt: fail\n`);
    await store.enqueue([
      { queue: 'nightly', service_name: 'reports', execution_type: 'shell', max_attempts: 1 },
      { queue: 'default', service_name: 'smoke', execution_type: 'noop', max_attempts: 1 },
      { queue: 'default', service_name: 'smoke', execution_type: 'noop', max_attempts: 1 },
    ]);
    assert.equal((await store.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 })).length, 2);
    const stop = calls['control.emergencyStop'].output.parse(ok(await dispatch('control.emergencyStop', { reason: 'incident' }, ctx)));
    assert.deepEqual((await store.listJobs({ status: ['running'] }, { limit: 5 })).items.map((j) => j.service_name).sort(), ['reports', 'smoke']);
    assert.deepEqual(stop.stopped, { running: 2, running_fail_on_interrupt: 1, running_unknown_service: 0, pending: 1 }, 'smoke says on_interrupt: fail');
    const again = calls['control.emergencyStop'].output.parse(ok(await dispatch('control.emergencyStop', {}, ctx)));
    assert.deepEqual([again.changed, again.stopped], [false, null]);
  });

  it("an emergency stop engaged where the registry lacks a running job's service promises nothing of that job's fate", async () => {
    const { ctx, store } = await context(REGISTRY);
    await store.enqueue([
      { queue: 'default', service_name: 'smoke', execution_type: 'noop', max_attempts: 1 },
      { queue: 'elsewhere', service_name: 'other_fleets_service', execution_type: 'shell', max_attempts: 1 },
    ]);
    assert.equal((await store.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 })).length, 2);
    const stop = calls['control.emergencyStop'].output.parse(ok(await dispatch('control.emergencyStop', { reason: 'incident' }, ctx)));
    assert.deepEqual(stop.stopped, { running: 2, running_fail_on_interrupt: 0, running_unknown_service: 1, pending: 0 });
  });

  it('lists every registry service, closed in auto when never tripped, and audits a forced mode', async () => {
    const { ctx, store } = await context(REGISTRY);
    const list = calls['breakers.list'].output.parse(ok(await dispatch('breakers.list', {}, ctx)));
    assert.deepEqual(list.breakers.map((b) => [b.service_name, b.state, b.mode]), [
      ['reports', 'closed', 'auto'],
      ['smoke', 'closed', 'auto'],
    ]);
    const forced = calls['breakers.setMode'].output.parse(ok(await dispatch('breakers.setMode', { service: 'smoke', mode: 'force_open', reason: 'upstream down' }, ctx)));
    assert.equal(forced.mode, 'force_open');
    const audit = await store.listAudit({ search: 'upstream down' }, { limit: 5 });
    assert.equal(audit.items.length, 1);
    assert.equal(failure(await dispatch('breakers.setMode', { service: 'ghost', mode: 'reset' }, ctx)).code, 'not_found');
  });

  it('says why a pending job waits, from the store as it stands, and nothing for a job not pending', async () => {
    const { ctx, store } = await context(REGISTRY);
    const created = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'smoke' }, ctx)));
    const waiting = async () => calls['jobs.waiting'].output.parse(ok(await dispatch('jobs.waiting', { id: created.id }, ctx))).reasons;
    assert.deepEqual(await waiting(), ['no worker is running (start one: opsdeck worker on a server, or turn on local execution in Settings)']);
    ok(await dispatch('breakers.setMode', { service: 'smoke', mode: 'force_open', reason: 'upstream down' }, ctx));
    ok(await dispatch('control.emergencyStop', { reason: 'incident 7' }, ctx));
    const reasons = await waiting();
    assert.match(reasons[0] ?? '', /^the emergency stop is engaged by .+: incident 7 \(Resume in the banner at the top releases it\)$/);
    assert.equal(reasons[1], 'the circuit breaker of smoke is forced open (Reset beside smoke on the Breakers page)');
    ok(await dispatch('jobs.cancel', { id: created.id, reason: 'not needed' }, ctx));
    assert.deepEqual(await waiting(), []);
    assert.equal(failure(await dispatch('jobs.waiting', { id: 999_999 }, ctx)).code, 'not_found');
    const [ghost] = await store.enqueue([{ queue: 'default', service_name: 'ghost', execution_type: 'noop', max_attempts: 1, payload: {} }]);
    const ghostReasons = calls['jobs.waiting'].output.parse(ok(await dispatch('jobs.waiting', { id: ghost?.id ?? 0 }, ctx))).reasons;
    assert.ok(ghostReasons.includes('service ghost is not in the registry loaded here: only a worker whose registry has it runs it'), ghostReasons.join('\n'));
  });

  it('without a registry, a breaker is set only for a service the store has jobs or a breaker of: a typo makes no breaker', async () => {
    const { ctx } = await context();
    ok(await dispatch('jobs.enqueue', { service: 'billing' }, ctx));
    const typo = failure(await dispatch('breakers.setMode', { service: 'biling', mode: 'force_open' }, ctx));
    assert.deepEqual([typo.code, typo.message], ['not_found', 'service biling has no breaker and no job in this store to name it (did you mean billing?); no registry loaded: load one in Settings (Service registry)']);
    assert.equal(failure(await dispatch('breakers.tune', { service: 'biling', failure_threshold: 3 }, ctx)).code, 'not_found');
    const listed = calls['breakers.list'].output.parse(ok(await dispatch('breakers.list', {}, ctx)));
    assert.deepEqual(listed.breakers.map((b) => b.service_name), [], 'the refused names left no breaker behind');
    ok(await dispatch('breakers.setMode', { service: 'billing', mode: 'force_open' }, ctx));
    ok(await dispatch('breakers.setMode', { service: 'billing', mode: 'reset' }, ctx));
  });

  it('emergency stop and resume are audited and show in overview.stats', async () => {
    const { ctx, store } = await context();
    ok(await dispatch('control.emergencyStop', { reason: 'incident 42' }, ctx));
    const stats = calls['overview.stats'].output.parse(ok(await dispatch('overview.stats', {}, ctx)));
    assert.equal(stats.control.emergency_stop.engaged, true);
    assert.equal(stats.control.emergency_stop.reason, 'incident 42');
    assert.equal(stats.control.emergency_stop.by, 'tester@test-host');
    ok(await dispatch('control.resume', {}, ctx));
    assert.equal((await store.getControl()).emergency_stop.engaged, false);
    assert.ok((await store.listAudit({ search: 'incident 42' }, { limit: 5 })).items.length >= 1);
  });

  it('overview.stats counts by status and queue, and how long each queue\'s oldest due job has waited', async () => {
    const { ctx, deadLetters } = await context();
    const [tenMinutesAgo, inAnHour] = [new Date(Date.now() - 600_000).toISOString(), new Date(Date.now() + 3600_000).toISOString()];
    ok(await dispatch('jobs.enqueueMany', { service: 'x', jobs: [{}, { run_at: inAnHour }, { queue: 'other', run_at: tenMinutesAgo }, { queue: 'later', run_at: inAnHour }] }, ctx));
    await deadLetters('y', 2, 'boom');
    const stats = calls['overview.stats'].output.parse(ok(await dispatch('overview.stats', {}, ctx)));
    assert.deepEqual(stats.counts, { pending: 4, running: 0, completed: 0, failed: 2, cancelled: 0, waiting: 0, blocked: 0 });
    assert.equal(stats.scheduled, 2, 'the jobs due in an hour are pending but not due');
    assert.equal(stats.dead_letters, 2);
    assert.equal(stats.failed_last_hour, 2);
    assert.deepEqual(stats.queues.map((q) => [q.queue, q.pending]).sort(), [['default', 2], ['dl-1', 0], ['later', 1], ['other', 1]]);
    assert.deepEqual(
      stats.queues.map((q) => [q.queue, q.scheduled, q.dead_letters]),
      [['default', 1, 0], ['dl-1', 0, 2], ['later', 1, 0], ['other', 0, 0]],
      "each queue's jobs not yet due, and its open dead letters",
    );
    const waited = new Map(stats.queues.map((q) => [q.queue, q.oldest_due_age_s]));
    assert.ok((waited.get('default') ?? -1) >= 0 && (waited.get('default') ?? 99) < 60, `default: ${waited.get('default')}`);
    assert.ok(Math.abs((waited.get('other') ?? 0) - 600) < 60, `other: ${waited.get('other')}`);
    assert.equal(waited.get('later'), null, 'its only job is due in an hour');
    assert.equal(waited.get('dl-1'), null, 'no pending job');
    assert.equal(stats.oldest_pending_age_s, waited.get('other'), 'the oldest due of all is the longest any queue waited');
    assert.equal(stats.queue_ages_read, true);
  });

  it('overview.stats says when the queues\' oldest jobs were not read: too many lanes hold pending jobs', async () => {
    const { ctx } = await context();
    ok(await dispatch('jobs.enqueueMany', { service: 'x', jobs: Array.from({ length: 501 }, (_, i) => ({ queue: 'wide', priority: i - 250 })) }, ctx));
    const stats = calls['overview.stats'].output.parse(ok(await dispatch('overview.stats', {}, ctx)));
    assert.equal(stats.queue_ages_read, false);
    assert.equal(stats.queues.find((q) => q.queue === 'wide')?.oldest_due_age_s, null);
    assert.equal(stats.queues.find((q) => q.queue === 'wide')?.scheduled, 0, 'its jobs not yet due are counted all the same');
    assert.ok((stats.oldest_pending_age_s ?? -1) >= 0, 'the store-wide figure is still read');
  });

  it('overview.stats counts the jobs not yet due up to COUNT_CAP: past it, no queue says how many of its own', async () => {
    const { ctx, store } = await context();
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = (queue: string, n: number) => Array.from({ length: n }, () => ({ queue, service_name: 'x', execution_type: 'noop' as const, max_attempts: 1, run_at: inAnHour }));
    await store.enqueue([...scheduled('a-few', 5), ...scheduled('b-many', COUNT_CAP)]);
    const stats = calls['overview.stats'].output.parse(ok(await dispatch('overview.stats', {}, ctx)));
    assert.deepEqual([stats.scheduled, stats.scheduled_capped], [COUNT_CAP, true]);
    assert.deepEqual(stats.queues.map((q) => [q.queue, q.pending, q.scheduled]), [['a-few', 5, null], ['b-many', COUNT_CAP, null]]);
  });

  it('overview.stats gives throughput over the last minutes, not the hour', async () => {
    const { ctx, store } = await context();
    await store.enqueue(Array.from({ length: 10 }, () => ({ queue: 'q', service_name: 'x', execution_type: 'noop' as const, max_attempts: 1 })));
    const claimed = await store.claim({ workerId: 'w', limit: 10, leaseMs: 60_000, queues: ['q'] });
    await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const, outcome: 'completed' as const })));
    const stats = calls['overview.stats'].output.parse(ok(await dispatch('overview.stats', {}, ctx)));
    assert.equal(stats.completed_last_hour, 10);
    assert.equal(stats.throughput_per_min, 10 / THROUGHPUT_WINDOW_MIN);
  });

  it('registry.load refuses a bad file (audited as refused, last good kept) and audits a good one', async () => {
    const { ctx, store } = await context(REGISTRY);
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-api-'));
    try {
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'services:\n  - name: x\n    execution_type: Shell\n');
      const err = failure(await dispatch('registry.load', { path: bad }, ctx));
      assert.equal(err.code, 'invalid_input');
      assert.equal(ctx.registry.registry.services.length, 2);
      assert.equal((await store.listAudit({ action: 'registry.load' }, { limit: 5 })).items.length, 0);
      assert.equal((await store.listAudit({ action: 'registry.load_refused' }, { limit: 5 })).items[0]?.target, bad);

      const good = join(dir, 'good.yaml');
      await writeFile(good, 'services:\n  - name: only\n    execution_type: noop\n');
      ok(await dispatch('registry.load', { path: good }, ctx));
      assert.deepEqual(ctx.registry.registry.services.map((s) => s.name), ['only']);
      assert.equal((await store.listAudit({ action: 'registry.load' }, { limit: 5 })).items.length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('registry.validate checks a text or a file without loading it', async () => {
    const { ctx } = await context(REGISTRY);
    const good = calls['registry.validate'].output.parse(ok(await dispatch('registry.validate', { text: 'services:\n  - name: n\n    execution_type: noop\n' }, ctx)));
    assert.deepEqual([good.ok, good.services], [true, 1]);
    const bad = calls['registry.validate'].output.parse(ok(await dispatch('registry.validate', { text: 'services:\n  - name: n\n    execution_type: Shell\n' }, ctx)));
    assert.equal(bad.ok, false);
    assert.equal(bad.problems.find((p) => p.path === 'services[0].execution_type')?.line, 3);
    assert.ok(bad.problems.some((p) => p.path === 'services[0].runner_config'), 'checked as shell, it lacks a runner_config');
    assert.equal(ctx.registry.registry.services.length, 2, 'the loaded registry is untouched');
    assert.equal(failure(await dispatch('registry.validate', {}, ctx)).code, 'invalid_input');
  });

  it('overview.series buckets the window', async () => {
    const { ctx } = await context();
    const series = calls['overview.series'].output.parse(ok(await dispatch('overview.series', { window: '1h' }, ctx)));
    assert.equal(series.bucket_seconds, 60);
    assert.equal(series.window, '1h');
  });

  it('settings.testConnection never repeats a password', async () => {
    const { ctx } = await context();
    const out = calls['settings.testConnection'].output.parse(ok(await dispatch('settings.testConnection', { url: 'postgres://ops:hunter2secret@127.0.0.1:1/jobs' }, ctx)));
    assert.equal(out.ok, false);
    assert.ok(!JSON.stringify(out).includes('hunter2secret'));
    assert.equal(failure(await dispatch('settings.setConnection', { url: '/tmp/x.db' }, ctx)).code, 'conflict');
  });

  it('health.check reports each part and is not ok when a worker is lost', async () => {
    const { ctx, store } = await context();
    const healthy = calls['health.check'].output.parse(ok(await dispatch('health.check', {}, ctx)));
    assert.equal(healthy.ok, true);
    assert.deepEqual(healthy.checks.map((c) => c.name).slice(0, 3), ['store', 'migrations', 'registry']);

    await store.registerWorker({ id: 'w-old', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null });
    // A heartbeat from long ago is what a crashed worker leaves behind.
    const lost = calls['health.check'].output.parse(ok(await dispatch('health.check', {}, { ...ctx, store: withClock(store) })));
    assert.equal(lost.ok, false);
    assert.ok(lost.checks.some((c) => c.name === 'worker:w-old' && !c.ok));
    for (const name of ['worker', 'workers']) {
      const byName = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: name }, { ...ctx, store: withClock(store) })));
      assert.deepEqual(byName.checks.map((c) => c.name), ['worker:w-old'], name);
    }
  });

  it('a check asked for by name while the store does not answer fails with it, not as unknown', async () => {
    const { ctx, store } = await context();
    await store.close();
    for (const check of ['scheduler', 'dispatch', 'workers', 'store']) {
      const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check }, ctx)));
      assert.equal(report.ok, false, check);
      assert.deepEqual(report.checks.map((c) => c.name), [check]);
    }
  });
});

/** The store as seen after its workers' lost threshold has passed: listWorkers with a threshold below 0. */
function withClock(store: Store): Store {
  return storeWith(store, { listWorkers: () => store.listWorkers(-1) });
}

describe('demo.start', () => {
  it("loads the example registry, enqueues the burst, and serves the endpoint its HTTP service calls", async () => {
    const { ctx, store } = await context();
    const out = calls['demo.start'].output.parse(ok(await dispatch('demo.start', { jobs: 20 }, ctx)));
    assert.equal(out.enqueued, 20);
    assert.equal((await store.countJobs({})), 20);
    const localApi = ctx.registry.service('local_api');
    assert.equal(localApi?.execution_type, 'http');
    if (localApi?.execution_type !== 'http') return;
    // Something else on the port (a second test process) is the one case with no endpoint of ours.
    const base = out.endpoint ?? localApi.runner_config.base_url;
    assert.equal(base, localApi.runner_config.base_url);
    const answer = await fetch(`${base}${localApi.runner_config.path ?? '/'}`, { method: 'POST', body: '{"demo":1}' });
    assert.equal(answer.status, 200);
    const audit = await store.listAudit({ action: 'demo.start' }, { limit: 5 });
    assert.equal(audit.items[0]?.job_count, 20);
  });
});
