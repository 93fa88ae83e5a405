import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoopRunner } from './noop.ts';
import { runRequest, service } from './testing/request.ts';

test('noop succeeds, fails on request with its message, and lets the payload override', async () => {
  const runner = new NoopRunner();
  assert.equal((await runner.run(runRequest(service({ execution_type: 'noop' })))).ok, true);
  const failing = service({ execution_type: 'noop', runner_config: { fail: true, fail_message: 'upstream returned 503' } });
  const r = await runner.run(runRequest(failing));
  assert.equal(r.error?.message, 'upstream returned 503');
  assert.equal(r.error?.retryable, true);
  const o = await runner.run(runRequest(failing, { payload: { fail_message: 'connection reset by peer', fail_retryable: false } }));
  assert.equal(o.error?.message, 'connection reset by peer');
  assert.equal(o.error?.retryable, false);
  assert.equal((await runner.run(runRequest(failing, { payload: { fail: false } }))).ok, true);
});

test('fail_rate draws from the injected random source', async () => {
  const draws = [0.05, 0.5];
  const runner = new NoopRunner({ random: () => draws.shift() ?? 1 });
  const svc = service({ execution_type: 'noop', runner_config: { fail_rate: 0.1 } });
  assert.equal((await runner.run(runRequest(svc))).ok, false);
  assert.equal((await runner.run(runRequest(svc))).ok, true);
});

test('noop sleeps abortably and reports the reason', async () => {
  const runner = new NoopRunner();
  const controller = new AbortController();
  const running = runner.run(runRequest(service({ execution_type: 'noop', runner_config: { sleep_ms: 60_000 } }), { signal: controller.signal }));
  controller.abort('cancel');
  const result = await running;
  assert.equal(result.aborted, 'cancel');
  assert.equal(result.error?.retryable, false);
  const timed = await runner.run(runRequest(service({ execution_type: 'noop' }), { payload: { sleep_ms: 60_000 }, timeoutSeconds: 0.05 }));
  assert.equal(timed.aborted, 'timeout');
});
