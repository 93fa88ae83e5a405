import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../runners/runner.ts';
import { fingerprint } from './fingerprint.ts';
import { runningRegistry, withRegistry } from './runningRegistry.ts';

const failed = (message: string, error_class: string): RunResult => ({ ok: false, error: { message, error_class, retryable: false }, output_tail: '', resource_usage: {}, security_context: {} });
const registry = (digest: string, loaded_at: string) => ({ digest, path: '/etc/opsdeck/registry.yaml', loaded_at });

test("a refusal by the registry names the worker's registry; other failures and a source that does not say are left as they are", () => {
  const r = registry('3f2a9b7c1d2e'.padEnd(64, '0'), '2026-12-07T12:01:00.000Z');
  assert.equal(
    withRegistry(failed("Command '/usr/bin/rm' is not allowed", 'allowlist'), () => r).error?.message,
    "Command '/usr/bin/rm' is not allowed (this worker's registry 3f2a9b7c1d2e loaded 2026-12-07T12:01:00.000Z from /etc/opsdeck/registry.yaml)",
  );
  assert.match(withRegistry(failed("service fresh is not in this worker's registry", 'config'), () => r).error?.message ?? '', /\(this worker's registry 3f2a9b7c1d2e/);
  assert.equal(withRegistry(failed('exit 1', 'exit_code'), () => assert.fail('the registry is read for a failure it did not decide')).error?.message, 'exit 1');
  assert.equal(withRegistry(failed('nope', 'allowlist'), () => null).error?.message, 'nope');
  const completed: RunResult = { ok: true, output_tail: '', resource_usage: {}, security_context: {} };
  assert.equal(withRegistry(completed, () => assert.fail('the registry is read for a completed run')), completed);
  assert.equal(runningRegistry({ registry: { services: [] }, service: () => undefined }), null);
});

test('the dead-letter group of a refusal is the same whichever registry refused it, and whenever', () => {
  const refused = failed("Command '/usr/bin/rm' is not allowed", 'allowlist');
  const a = withRegistry(refused, () => registry('3f2a9b7c1d2e'.padEnd(64, '0'), '2026-12-07T12:01:00.000Z')).error?.message ?? '';
  const b = withRegistry(refused, () => registry('9b7c3f2a1d2e'.padEnd(64, '1'), '2026-12-08T08:15:30.000Z')).error?.message ?? '';
  assert.notEqual(a, b);
  assert.equal(fingerprint(a, 'cleanup', 'allowlist'), fingerprint(b, 'cleanup', 'allowlist'));
});
