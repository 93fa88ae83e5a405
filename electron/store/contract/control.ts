import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { AuditEntry, BreakerRecord, ControlState } from '../../../shared/domain.ts';
import { newBreakerRecord } from '../../../shared/breakerRecord.ts';
import type { StoreSignal } from '../store.ts';
import type { ControlChange } from '../controlStore.ts';
import { alice, ALICE, LEASE, base, claimOne, err, job, sleep, only, auditActions, waitForSignal } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** The control plane, circuit breakers and the audit log (workers: workers.ts). */
export function controlContract(test: ContractTest): void {
  describe('control', () => {
    test('emergency stop blocks every claim until resumed, and is audited', async (store) => {
      await store.enqueue([job('svc')]);
      const before = ControlState.parse(await store.getControl());
      assert.equal(before.emergency_stop.engaged, false);
      assert.deepEqual(before.paused_queues, []);
      const stop = await store.setEmergencyStop(true, alice, 'bad deploy');
      const stopped = ControlState.parse(stop.state);
      assert.equal(stop.changed, true);
      assert.equal(stopped.emergency_stop.engaged, true);
      assert.equal(stopped.emergency_stop.by, ALICE);
      assert.equal(stopped.emergency_stop.reason, 'bad deploy');
      assert.ok(stopped.emergency_stop.at);
      assert.ok(stopped.version > before.version);
      assert.deepEqual(await store.getControl(), stopped);
      assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE }), []);
      const resumed = await store.setEmergencyStop(false, alice, null);
      assert.equal(resumed.changed, true);
      assert.equal(resumed.state.emergency_stop.engaged, false);
      assert.ok(resumed.state.version > stopped.version);
      assert.equal((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).length, 1);
      const actions = (await auditActions(store)).map((a) => a.action);
      assert.ok(actions.includes('control.emergency_stop'));
      assert.ok(actions.includes('control.resume'));
    });

    test('an emergency stop says what it found, read in its own transaction: the running jobs of each service and the pending ones', async (store) => {
      await store.enqueue([job('svc'), job('svc'), job('mail'), job('svc', { run_at: new Date(Date.now() + 3_600_000).toISOString() })]);
      assert.equal((await store.claim({ workerId: 'w', limit: 3, leaseMs: LEASE })).length, 3);
      await store.enqueue([job('svc')]);
      const stop = await store.setEmergencyStop(true, alice, 'incident');
      assert.equal(stop.changed, true);
      assert.deepEqual(stop.stopped, { runningByService: { svc: 2, mail: 1 }, pending: 2 });
      assert.equal((await store.setEmergencyStop(true, alice, 'again')).stopped, null, 'already engaged: it stopped nothing');
      assert.equal((await store.setEmergencyStop(false, alice, null)).stopped, null, 'a resume stops nothing');
    });

    test('safe mode blocks claims and is audited', async (store) => {
      await store.enqueue([job('svc')]);
      const on = await store.setSafeMode(true, alice, 'draining');
      assert.equal(on.changed, true);
      assert.equal(on.state.safe_mode.engaged, true);
      assert.equal(on.state.safe_mode.by, ALICE);
      assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE }), []);
      await store.setSafeMode(false, alice, null);
      assert.equal((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).length, 1);
      const audits = (await auditActions(store)).filter((a) => a.action === 'control.safe_mode');
      assert.equal(audits.length, 2);
      assert.ok(audits.every((a) => a.actor === ALICE));
    });

    test('a safe-mode drain is kept in the store; once run out, the first to end it stops what still runs, in the name of who asked, audited', async (store) => {
      await store.enqueue([job('svc'), job('svc')]);
      await claimOne(store, { service_name: 'mail' });
      const on = await store.setSafeMode(true, alice, 'deploy', 1);
      assert.equal(on.changed, true);
      const drain = on.state.drain;
      assert.ok(drain);
      assert.equal(drain.by, ALICE);
      assert.equal(drain.seconds, 1);
      assert.equal(Date.parse(drain.until) - Date.parse(drain.at), 1000);
      assert.deepEqual(ControlState.parse(await store.getControl()).drain, drain);
      assert.equal(await store.endDrain(), null, 'not run out yet');
      await sleep(1100);
      const [first, second] = await Promise.all([store.endDrain(), store.endDrain()]);
      const ended = first ?? second;
      assert.ok(ended);
      assert.equal(first === null || second === null, true, 'one of two at once ends it');
      assert.equal(ended.running, 1);
      assert.deepEqual(ended.stopped, { runningByService: { mail: 1 }, pending: 2 });
      assert.equal(ended.state.drain, undefined);
      assert.equal(ended.state.emergency_stop.engaged, true);
      assert.equal(ended.state.emergency_stop.by, ALICE);
      assert.equal(ended.state.emergency_stop.reason, 'safe-mode drain: 1 job(s) still running after 1s');
      const audits = (await store.listAudit({}, { limit: 10, after: null })).items;
      assert.deepEqual(audits.slice(0, 2).map((a) => [a.action, a.actor, a.details]), [
        [
          'control.emergency_stop',
          ALICE,
          { engaged: true, reason: 'safe-mode drain: 1 job(s) still running after 1s', drain_s: 1, running_asked_to_stop: 1, running_by_service: { mail: 1 }, pending_held: 2 },
        ],
        ['control.safe_mode', ALICE, { engaged: true, reason: 'deploy', drain_s: 1, pending_held: 2, running_left_to_finish: 1 }],
      ]);
      assert.equal(await store.endDrain(), null, 'ended once');
    });

    test('a drain asked with safe mode on already is a change; safe mode off ends it; one that runs out with nothing running stops nothing', async (store) => {
      await store.setSafeMode(true, alice, 'maintenance');
      const bob = { user: 'bob', host: 'desk' };
      const asked = await store.setSafeMode(true, bob, null, 300);
      assert.equal(asked.changed, true);
      assert.equal(asked.state.safe_mode.by, ALICE, 'safe mode stays as alice turned it on');
      assert.equal(asked.state.drain?.by, 'bob@desk');
      assert.equal((await store.setSafeMode(true, alice, null)).changed, false, 'on without a drain leaves the one under way');
      assert.equal((await store.getControl()).drain?.seconds, 300);
      const off = await store.setSafeMode(false, alice, null);
      assert.equal(off.state.drain, undefined, 'off ends the drain');
      await store.setSafeMode(true, alice, null, 1);
      await sleep(1100);
      const ended = await store.endDrain();
      assert.deepEqual([ended?.running, ended?.stopped, ended?.state.emergency_stop.engaged, ended?.state.drain], [0, null, false, undefined]);
    });

    test('a paused queue is skipped by claims; other queues run', async (store) => {
      await store.enqueue([job('svc', { queue: 'reports' }), job('svc', { queue: 'mail' })]);
      const paused = await store.setQueuePaused('reports', true, alice, 'db maintenance');
      assert.equal(paused.changed, true);
      const entry = only(paused.state.paused_queues);
      assert.equal(entry.queue, 'reports');
      assert.equal(entry.by, ALICE);
      assert.equal(entry.reason, 'db maintenance');
      assert.deepEqual((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).map((c) => c.queue), ['mail']);
      assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE, queues: ['reports'] }), []);
      const resumed = await store.setQueuePaused('reports', false, alice, null);
      assert.equal(resumed.changed, true);
      assert.deepEqual(resumed.state.paused_queues, []);
      assert.ok(resumed.state.version > paused.state.version);
      assert.deepEqual((await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE })).map((c) => c.queue), ['reports']);
      const actions = (await auditActions(store)).map((a) => [a.action, a.target]);
      assert.deepEqual(actions.filter(([a]) => a?.startsWith('queue.')).sort(), [['queue.pause', 'reports'], ['queue.unpause', 'reports']]);
    });

    test('a control change already in force changes nothing: the state in force stays, unaudited and unannounced', async (store) => {
      const bob = { user: 'bob', host: 'desk' };
      const heard: StoreSignal[] = [];
      const off = store.subscribe((signal) => heard.push(signal));
      try {
        await sleep(200);
        const start = await store.getControl();
        const resumed = await store.setEmergencyStop(false, bob, null);
        const safeOff = await store.setSafeMode(false, bob, null);
        const unpaused = await store.setQueuePaused('reports', false, bob, null);
        assert.deepEqual(resumed, { state: start, changed: false, stopped: null });
        for (const change of [safeOff, unpaused]) assert.deepEqual(change, { state: start, changed: false });

        const stopped = await store.setEmergencyStop(true, alice, 'bad deploy');
        const safe = await store.setSafeMode(true, alice, 'draining');
        const paused = await store.setQueuePaused('reports', true, alice, 'db maintenance');
        await sleep(100);
        heard.length = 0;
        const engaged = paused.state;
        assert.deepEqual(await store.setEmergencyStop(true, bob, 'another reason'), { state: engaged, changed: false, stopped: null }, 'engaged again: who, when and why stay, and it stopped nothing');
        assert.deepEqual(await store.setSafeMode(true, bob, 'me too'), { state: engaged, changed: false });
        assert.deepEqual(await store.setQueuePaused('reports', true, bob, 'me too'), { state: engaged, changed: false });
        assert.deepEqual(engaged.emergency_stop, stopped.state.emergency_stop);
        assert.deepEqual(engaged.safe_mode, safe.state.safe_mode);
        assert.equal(only(engaged.paused_queues).by, ALICE);
        await sleep(50);
        assert.deepEqual(heard, [], 'no listener is told of a change that did not happen');
        const audits = (await auditActions(store)).filter((a) => a.action.startsWith('control.') || a.action.startsWith('queue.'));
        assert.deepEqual(audits.map((a) => [a.action, a.actor]).sort(), [['control.emergency_stop', ALICE], ['control.safe_mode', ALICE], ['queue.pause', ALICE]]);
      } finally {
        off();
      }
    });

    test('two operators making one control change at once: one changes it, the other is told nothing changed', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        const bob = { user: 'bob', host: 'desk' };
        const pairs: Array<[string, () => Promise<ControlChange>, () => Promise<ControlChange>]> = [
          ['stop', () => store.setEmergencyStop(true, alice, 'a'), () => other.setEmergencyStop(true, bob, 'b')],
          ['resume', () => store.setEmergencyStop(false, alice, null), () => other.setEmergencyStop(false, bob, null)],
          ['safe mode on', () => store.setSafeMode(true, alice, 'a'), () => other.setSafeMode(true, bob, 'b')],
          ['safe mode off', () => store.setSafeMode(false, alice, null), () => other.setSafeMode(false, bob, null)],
          ['pause', () => store.setQueuePaused('reports', true, alice, 'a'), () => other.setQueuePaused('reports', true, bob, 'b')],
          ['unpause', () => store.setQueuePaused('reports', false, alice, null), () => other.setQueuePaused('reports', false, bob, null)],
        ];
        for (const [what, mine, theirs] of pairs) {
          const both = await Promise.all([mine(), theirs()]);
          assert.deepEqual(both.map((c) => c.changed).sort(), [false, true], what);
        }
        const audits = (await auditActions(store)).filter((a) => a.action.startsWith('control.') || a.action.startsWith('queue.'));
        assert.equal(audits.length, pairs.length, 'each change audited once');
      } finally {
        await other.close();
      }
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

    test("'ready' is heard when jobs may have become claimable, never for claims or completions", async (store) => {
      const heard = new Set<StoreSignal>();
      const off = store.subscribe((signal) => heard.add(signal));
      const after = async (change: () => Promise<unknown>): Promise<string> => {
        heard.clear();
        await change();
        await sleep(20);
        return [...heard].sort().join(',');
      };
      try {
        assert.equal(await after(() => store.enqueue([job('svc'), job('svc'), job('svc'), job('svc')])), 'jobs,ready');
        const first = store.claim({ workerId: 'w1', limit: 4, leaseMs: LEASE });
        assert.equal(await after(() => first), 'jobs', 'a claim changes jobs and frees none');
        const [done, retried, failed, interrupted] = await first;
        assert.ok(done && retried && failed && interrupted);
        assert.equal(await after(() => store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE })), '', 'an empty claim changes nothing');
        assert.equal(await after(() => store.settle([{ ...base(done), kind: 'completed' }])), 'jobs', 'a completion frees no job');
        assert.equal(await after(() => store.settle([{ ...base(failed), kind: 'failed', error: err('boom'), outcome: 'failed' }])), 'jobs');
        assert.equal(await after(() => store.settle([{ ...base(retried), kind: 'retry', error: err('flaky'), outcome: 'failed', run_at: new Date().toISOString() }])), 'jobs,ready');
        assert.equal(await after(() => store.settle([{ ...base(interrupted), kind: 'interrupted', reason: 'emergency stop', ran: true }])), 'jobs,ready');
        assert.equal(await after(() => store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE })), 'jobs');
        assert.equal(await after(() => store.dlqRetry({}, alice)), 'jobs,ready');
      } finally {
        off();
      }
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
      left_closed_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toISOString(),
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
      assert.equal(Date.parse(stored.left_closed_at ?? ''), Date.parse(record(1).left_closed_at ?? ''), 'when it left closed is kept');
      assert.equal(await store.saveBreaker({ ...stored, state: 'closed', opened_at: null, left_closed_at: null, version: 3 }, null), true);
      assert.equal((await store.getBreaker('payments'))?.left_closed_at, null);
      assert.deepEqual((await store.listBreakers()).map((b) => b.service_name), ['payments']);
      const transitions = (await auditActions(store)).filter((a) => a.action === 'breaker.transition');
      assert.equal(transitions.length, 1);
      assert.equal(transitions[0]?.target, 'payments');
    });

    test('operator modes and reset are stored, versioned and audited', async (store) => {
      const changed = await store.setBreakerModeIfItChanges('search', 'force_open', alice, 'vendor outage');
      assert.ok(changed, 'a forced mode changes a breaker never stored');
      const forced = BreakerRecord.parse(changed);
      assert.equal(forced.mode, 'force_open');
      assert.equal(forced.mode_set_by, ALICE);
      assert.equal(forced.mode_reason, 'vendor outage');
      assert.ok(forced.mode_set_at);
      const at = new Date().toISOString();
      assert.equal(await store.saveBreaker({ ...forced, state: 'open', window_failures: 9, opened_at: at, left_closed_at: at, version: forced.version + 1 }, null), true);
      const reset = await store.setBreakerModeIfItChanges('search', 'reset', alice, null);
      assert.ok(reset, 'an open breaker holding failures is changed by a reset');
      assert.equal(reset.mode, 'auto');
      assert.equal(reset.state, 'closed');
      assert.equal(reset.window_failures, 0);
      assert.equal(reset.opened_at, null);
      assert.equal(reset.left_closed_at, null);
      assert.equal((await store.getBreaker('search'))?.left_closed_at, null);
      assert.ok(reset.version > forced.version + 1);
      const actions = (await auditActions(store)).map((a) => a.action);
      assert.ok(actions.includes('breaker.force_open'));
      assert.ok(actions.includes('breaker.reset'));
    });

    test('a reset only if it clears something leaves a closed breaker in auto alone, unaudited, and resets one that holds failures', async (store) => {
      assert.equal(await store.setBreakerModeIfItChanges('never-saved', 'reset', alice, null), null, 'a breaker never stored has nothing to clear');
      assert.equal(await store.getBreaker('never-saved'), null, 'and is not stored by asking');
      assert.equal(await store.saveBreaker({ ...newBreakerRecord('steady', new Date()), window_successes: 12, version: 1 }, null), true);
      assert.equal(await store.setBreakerModeIfItChanges('steady', 'reset', alice, 'tidy up'), null, 'successes alone are nothing to clear');
      assert.equal((await store.getBreaker('steady'))?.window_successes, 12, 'left as it was');
      assert.equal(await store.saveBreaker({ ...newBreakerRecord('flaky', new Date()), window_failures: 2, last_error: 'HTTP 503', version: 1 }, null), true);
      const reset = await store.setBreakerModeIfItChanges('flaky', 'reset', alice, 'tidy up');
      assert.equal(reset?.window_failures, 0);
      assert.equal(reset?.last_error, null);
      const resets = (await auditActions(store)).filter((a) => a.action === 'breaker.reset');
      assert.deepEqual(resets.map((a) => a.target), ['flaky']);
    });

    test('a mode set only if it changes the breaker leaves one already in it alone, with who set it and why, unaudited', async (store) => {
      assert.equal(await store.setBreakerModeIfItChanges('never-saved', 'auto', alice, null), null, 'a breaker never stored is in auto already');
      assert.equal(await store.getBreaker('never-saved'), null, 'and is not stored by asking');
      const opened = await store.setBreakerModeIfItChanges('never-saved', 'force_open', alice, 'vendor outage');
      assert.equal(opened?.mode, 'force_open', 'a forced mode changes a breaker never stored');
      const bob = { ...alice, user: 'bob' };
      assert.equal(await store.setBreakerModeIfItChanges('never-saved', 'force_open', bob, 'again'), null, 'forced open already');
      const kept = await store.getBreaker('never-saved');
      assert.deepEqual([kept?.mode_reason, kept?.version], ['vendor outage', opened?.version], 'who forced it and why stay');
      const closed = await store.setBreakerModeIfItChanges('never-saved', 'force_closed', bob, null);
      assert.equal(closed?.mode, 'force_closed');
      const auto = await store.setBreakerModeIfItChanges('never-saved', 'auto', bob, null);
      assert.equal(auto?.mode, 'auto');
      assert.equal(await store.setBreakerModeIfItChanges('never-saved', 'auto', bob, null), null, 'in auto already');
      const audited = (await auditActions(store)).filter((a) => a.target === 'never-saved').map((a) => a.action);
      assert.deepEqual(audited.sort(), ['breaker.auto', 'breaker.force_closed', 'breaker.force_open']);
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
}
