import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS, type InterfaceWords } from '../api/interfaceWords.ts';
import { createTestContext, type TestContext } from '../api/testing/apiTestContext.ts';
import { ok } from '../api/testing/responses.ts';
import { REST_WORDS } from '../rest/words.ts';
import { CLI_WORDS } from './words.ts';

const MEASURED = 'breaker open: model_api for 7m (half-open since 2026-01-01T00:00:00.000Z, waiting for a job of model_api to probe it)';
/** A summary stored before advice was kept apart: its advice already in it, in the CLI's words. */
const OLD = 'breaker open: ledger for 9m (half-open, waiting for a job of ledger to probe it: check it by hand with opsdeck test-connectivity ledger, and once it answers, opsdeck breaker reset ledger closes it)';

const advice: Record<string, string> = {
  cli: 'For model_api: check it by hand with opsdeck test-connectivity model_api, and once it passes, opsdeck breaker reset model_api closes it',
  rest: 'For model_api: check it by hand with GET /v1/runners/connectivity/model_api, and once it passes, POST /v1/breakers/model_api/reset closes it',
  console: 'For model_api: check it by hand with Test connectivity beside model_api under Diagnostics on the Runners page, and once it passes, Reset beside model_api on the Breakers page closes it',
};

const POSTING = 'breaker open: chat_api for 7m (half-open since 2026-01-01T00:00:00.000Z, waiting for a job of chat_api to probe it)';
/** Its jobs POST, which no check sends: the check cannot pass for them, and the advice says what decides instead. */
const posting: Record<string, string> = {
  cli: "For chat_api: check it by hand with opsdeck test-connectivity chat_api, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, opsdeck breaker reset chat_api closes it",
  rest: "For chat_api: check it by hand with GET /v1/runners/connectivity/chat_api, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, POST /v1/breakers/chat_api/reset closes it",
  console:
    "For chat_api: check it by hand with Test connectivity beside chat_api under Diagnostics on the Runners page, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, Reset beside chat_api on the Breakers page closes it",
};

describe("an alert's advice in the words of the interface that reads it", () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext('services:\n  - name: model_api\n    execution_type: noop\n');
    await t.store.recordAlertEvaluation(
      [
        { rule: 'breaker', severity: 'critical', firing: true, summary: MEASURED, advice: [{ service: 'model_api', kind: 'http' }], value: 1 },
        { rule: 'older', severity: 'warning', firing: true, summary: OLD, value: 1 },
        { rule: 'posting', severity: 'critical', firing: true, summary: POSTING, advice: [{ service: 'chat_api', kind: 'http', untried: 'POST' }], value: 1 },
      ],
      new Date(),
    );
  });
  after(() => t.cleanup());

  const hosts: Array<[string, InterfaceWords]> = [
    ['cli', CLI_WORDS],
    ['rest', REST_WORDS],
    ['console', CONSOLE_WORDS],
  ];

  it('the list and the history say how to check the service and reset its breaker as the asking host does; a row stored before shows as it was stored', async () => {
    for (const [host, words] of hosts) {
      const ctx = { ...t.ctx, words };
      const list = calls['alerts.list'].output.parse(ok(await dispatch('alerts.list', {}, ctx)));
      const summaries = new Map(list.alerts.map((a) => [a.name, a.state?.summary]));
      assert.equal(summaries.get('breaker'), `${MEASURED}. ${advice[host] ?? ''}`, host);
      assert.equal(summaries.get('older'), OLD, `${host}: an old row still displays`);
      assert.equal(summaries.get('posting'), `${POSTING}. ${posting[host] ?? ''}`, `${host}: the jobs' method is kept with the advice`);
      const history = calls['alerts.history'].output.parse(ok(await dispatch('alerts.history', { rule: 'breaker', limit: 10 }, ctx)));
      assert.deepEqual(history.events.map((e) => e.summary), [`${MEASURED}. ${advice[host] ?? ''}`], host);
      const acked = calls['alerts.ack'].output.parse(ok(await dispatch('alerts.ack', { rule: 'breaker', note: `looking, from the ${host}` }, ctx)));
      assert.equal(acked.summary, `${MEASURED}. ${advice[host] ?? ''}`, host);
    }
    const console = calls['alerts.list'].output.parse(ok(await dispatch('alerts.list', {}, { ...t.ctx, words: CONSOLE_WORDS })));
    assert.doesNotMatch(console.alerts.find((a) => a.name === 'breaker')?.state?.summary ?? '', /opsdeck /, 'the console names its buttons, not commands');
  });
});
