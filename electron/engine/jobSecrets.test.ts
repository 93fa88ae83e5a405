import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceConfig } from '../../shared/registry.ts';
import type { RunResult } from '../runners/runner.ts';
import { serviceSecrets, withoutSecrets } from './jobSecrets.ts';

const result = (output_tail: string, message?: string): RunResult => ({
  ok: message === undefined,
  ...(message === undefined ? {} : { error: { message, error_class: 'exit_code', retryable: true } }),
  output_tail,
  resource_usage: {},
  security_context: {},
});

test("a service's secrets are taken out of its output tail and its error; other text and services without secrets are left alone", () => {
  const http = ServiceConfig.parse({
    name: 'billing',
    execution_type: 'http',
    runner_config: { base_url: 'https://api.example.com', auth_type: 'basic', auth_config: { username_env_var: 'BILL_USER', password_env_var: 'BILL_PASS' } },
  });
  const env = { BILL_USER: 'svc-billing', BILL_PASS: 's3cr3t-pa55', UNRELATED: 'plain-value' };
  const secrets = serviceSecrets(http, env);
  assert.deepEqual([...secrets].sort(), ['s3cr3t-pa55', 'svc-billing']);
  const cut = withoutSecrets(result('login svc-billing:s3cr3t-pa55 ok; plain-value stays', 'refused s3cr3t-pa55'), secrets);
  assert.equal(cut.output_tail, 'login [redacted]:[redacted] ok; plain-value stays');
  assert.equal(cut.error?.message, 'refused [redacted]');
  const noop = ServiceConfig.parse({ name: 'quiet', execution_type: 'noop', runner_config: {} });
  assert.deepEqual(serviceSecrets(noop, env), []);
  const plain = result('nothing to hide');
  assert.equal(withoutSecrets(plain, serviceSecrets(undefined, env)).output_tail, 'nothing to hide');
});

test('a shell job is cut of every passed variable the logger takes for a secret, URL passwords and JSON-escaped forms', () => {
  const shell = ServiceConfig.parse({
    name: 'report',
    execution_type: 'shell',
    runner_config: { command: ['/bin/echo'], env: ['API_TOKEN', 'STRIPE_KEY', 'WAREHOUSE', 'REPORT_BUCKET'] },
    security_policy: { allowed_commands: ['/bin/echo'] },
  });
  const env = { API_TOKEN: 'tok-12345', STRIPE_KEY: 'sk_live_987654', WAREHOUSE: 'postgres://app:Db"Pass99@db:5432/w', REPORT_BUCKET: 'bucket-a', OTHER_TOKEN: 'not-passed-1' };
  const secrets = serviceSecrets(shell, env);
  const cut = withoutSecrets(
    result('tok-12345 sk_live_987654 into bucket-a; other mysql://u:pw123@h/x; not-passed-1', 'exited with code 3: {"pw":"Db\\"Pass99"}'),
    secrets,
  );
  assert.equal(cut.output_tail, '[redacted] [redacted] into bucket-a; other mysql://u:[redacted]@h/x; not-passed-1');
  assert.equal(cut.error?.message, 'exited with code 3: {"pw":"[redacted]"}');
});
