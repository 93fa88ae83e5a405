import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatedRule } from '../store.ts';
import { alice, ALICE, auditActions, base, claimOne, err } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

const rule = (firing: boolean, summary = firing ? '6 of 10 attempts failed' : '0 of 10 attempts failed'): EvaluatedRule => ({
  rule: 'failure-spike',
  severity: 'critical',
  firing,
  summary,
  value: firing ? 0.6 : 0,
});

/** Alert states and their history: transitions, acknowledgements, silences, deliveries, the rollups read. */
export function alertsContract(test: ContractTest): void {
  describe('alerts', () => {
    test('records firing and resolved transitions once each, with their history', async (store) => {
      const t0 = new Date();
      assert.deepEqual(await store.recordAlertEvaluation([rule(false)], t0), [], 'a rule that starts quiet is no transition');
      const fired = await store.recordAlertEvaluation([rule(true)], new Date(t0.getTime() + 1000));
      assert.deepEqual(fired.map((t) => [t.rule, t.status, t.silenced]), [['failure-spike', 'firing', false]]);
      assert.deepEqual(await store.recordAlertEvaluation([rule(true, '7 of 10 attempts failed')], new Date(t0.getTime() + 2000)), [], 'still firing: no new transition');
      const [state] = await store.listAlertStates();
      assert.equal(state?.firing, true);
      assert.equal(state?.summary, '7 of 10 attempts failed');
      assert.equal(Date.parse(state?.since ?? ''), t0.getTime() + 1000, 'firing since the transition, not the last evaluation');
      const resolved = await store.recordAlertEvaluation([rule(false)], new Date(t0.getTime() + 3000));
      assert.deepEqual(resolved.map((t) => t.status), ['resolved']);
      await store.recordAlertDelivery({ rule: 'failure-spike', severity: 'critical', ok: false, channel: 'webhook:ALERT_URL', summary: 'HTTP 500 after 3 tries' });
      const page = await store.listAlertEvents({}, { limit: 2 });
      assert.deepEqual(page.items.map((e) => [e.kind, e.channel]), [['delivery_failed', 'webhook:ALERT_URL'], ['resolved', null]]);
      assert.ok(page.next_cursor);
      const rest = await store.listAlertEvents({ rule: 'failure-spike' }, { limit: 10, after: page.next_cursor });
      assert.deepEqual(rest.items.map((e) => e.kind), ['firing']);
      assert.deepEqual((await store.listAlertEvents({ rule: 'other' }, { limit: 10 })).items, []);
      // A rule taken out of the registry is forgotten with its state; its history stays.
      await store.recordAlertEvaluation([], new Date(t0.getTime() + 4000));
      assert.deepEqual(await store.listAlertStates(), []);
    });

    test("keeps an alert's advice as facts beside its summary, in its state and its transitions; none is an empty list", async (store) => {
      const advice = [{ service: 'model_api', kind: 'http' as const }, { service: 'old_api', kind: null }];
      const fired = await store.recordAlertEvaluation([{ ...rule(true, 'breaker open: model_api for 7m'), advice }], new Date());
      assert.deepEqual(fired.map((t) => t.advice), [advice]);
      assert.deepEqual((await store.listAlertStates()).map((s) => [s.summary, s.advice]), [['breaker open: model_api for 7m', advice]]);
      assert.deepEqual((await store.listAlertEvents({}, { limit: 5 })).items.map((e) => e.advice), [advice]);
      // Still firing, the advice now none: the state follows; a rule with no advice reads as an empty list.
      await store.recordAlertEvaluation([rule(true)], new Date());
      assert.deepEqual((await store.listAlertStates()).map((s) => s.advice), [[]]);
      await store.recordAlertDelivery({ rule: 'failure-spike', severity: 'critical', ok: true, channel: 'webhook:ALERT_URL', summary: 'firing delivered' });
      assert.deepEqual((await store.listAlertEvents({}, { limit: 5 })).items.map((e) => [e.kind, e.advice]), [['delivered', []], ['firing', advice]]);
    });

    test('acknowledge with a note (audited) holds while firing and is forgotten when it resolves', async (store) => {
      await store.recordAlertEvaluation([rule(true)], new Date());
      assert.equal(await store.ackAlert('nope', 'n', alice), null, 'an unknown rule');
      const acked = await store.ackAlert('failure-spike', 'looking at the upstream', alice);
      assert.equal(acked?.acked_by, ALICE);
      assert.equal(acked?.ack_note, 'looking at the upstream');
      await store.recordAlertEvaluation([rule(true)], new Date());
      assert.equal((await store.listAlertStates())[0]?.ack_note, 'looking at the upstream');
      await store.recordAlertEvaluation([rule(false)], new Date());
      const [quiet] = await store.listAlertStates();
      assert.equal(quiet?.acked_by, null);
      assert.equal(await store.ackAlert('failure-spike', 'late', alice), null, 'a resolved rule cannot be acknowledged');
      const audit = (await auditActions(store)).find((a) => a.action === 'alert.ack');
      assert.equal(audit?.target, 'failure-spike');
      assert.deepEqual(audit?.details, { note: 'looking at the upstream' });
    });

    test('a silenced rule still records its transitions but says it is silenced; lifting is audited', async (store) => {
      await store.recordAlertEvaluation([rule(false)], new Date());
      const until = new Date(Date.now() + 60_000);
      const silenced = await store.silenceAlert('failure-spike', until, alice, 'maintenance window');
      assert.equal(Date.parse(silenced?.silenced_until ?? ''), until.getTime());
      const fired = await store.recordAlertEvaluation([rule(true)], new Date());
      assert.deepEqual(fired.map((t) => [t.status, t.silenced]), [['firing', true]]);
      await store.silenceAlert('failure-spike', null, alice, null);
      const resolved = await store.recordAlertEvaluation([rule(false)], new Date());
      assert.deepEqual(resolved.map((t) => t.silenced), [false]);
      assert.equal(await store.silenceAlert('nope', null, alice, null), null);
      const actions = (await auditActions(store)).filter((a) => a.action === 'alert.silence');
      assert.equal(actions.length, 2);
    });

    test('rules written in the console: saved, replaced, deleted, each audited with before and after', async (store) => {
      assert.deepEqual(await store.listAlertRules(), []);
      const saved = await store.saveAlertRule({ name: 'backlog', kind: 'oldest_due', older_than: '10m', severity: 'warning', channels: [{ type: 'desktop' }] }, alice);
      assert.equal(saved.set_by, ALICE);
      await store.saveAlertRule({ name: 'backlog', kind: 'oldest_due', older_than: '5m', severity: 'critical', channels: [] }, alice);
      await store.saveAlertRule({ name: 'another', kind: 'worker_lost', within: '1h', severity: 'info', channels: [] }, alice);
      const listed = await store.listAlertRules();
      assert.deepEqual(listed.map((r) => r.rule.name), ['another', 'backlog']);
      assert.deepEqual(listed[1]?.rule, { name: 'backlog', kind: 'oldest_due', older_than: '5m', severity: 'critical', channels: [] });
      assert.equal(await store.deleteAlertRule('backlog', alice), true);
      assert.equal(await store.deleteAlertRule('backlog', alice), false);
      assert.deepEqual((await store.listAlertRules()).map((r) => r.rule.name), ['another']);
      const audits = (await auditActions(store)).filter((a) => a.target === 'backlog').reverse();
      assert.deepEqual(audits.map((a) => a.action), ['alert.rule_save', 'alert.rule_save', 'alert.rule_delete']);
      assert.equal(JSON.stringify(audits[1]?.details).includes('"older_than":"10m"'), true, 'the rule before the change');
    });

    test('outcomes per service come from the rollups: completed, dead-lettered, retried', async (store) => {
      const since = new Date(Date.now() - 60_000);
      const a = await claimOne(store, { service_name: 'api' });
      await store.settle([{ ...base(a), kind: 'completed' }]);
      const b = await claimOne(store, { service_name: 'api', max_attempts: 1 });
      await store.settle([{ ...base(b), kind: 'failed', error: err('boom'), outcome: 'failed' }]);
      const c = await claimOne(store, { service_name: 'api' });
      await store.settle([{ ...base(c), kind: 'retry', error: err('again'), outcome: 'failed', run_at: new Date(Date.now() + 60_000).toISOString() }]);
      const d = await claimOne(store, { service_name: 'mailer' });
      await store.settle([{ ...base(d), kind: 'completed' }]);
      const outcomes = await store.outcomesByService(since);
      assert.deepEqual(outcomes, [
        { service_name: 'api', completed: 1, failed: 1, retried: 1 },
        { service_name: 'mailer', completed: 1, failed: 0, retried: 0 },
      ]);
      assert.deepEqual(await store.outcomesByService(new Date(Date.now() + 120_000)), []);
    });
  });
}
