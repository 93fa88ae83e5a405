import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceConfig } from '../../shared/registry.ts';
import { serviceSecrets, withoutSecrets } from './tailSecrets.ts';

test("a service's secrets are taken out of its output tail; other text and services without secrets are left alone", () => {
  const http = ServiceConfig.parse({
    name: 'billing',
    execution_type: 'http',
    runner_config: { base_url: 'https://api.example.com', auth_type: 'basic', auth_config: { username_env_var: 'BILL_USER', password_env_var: 'BILL_PASS' } },
  });
  const env = { BILL_USER: 'svc-billing', BILL_PASS: 's3cr3t-pa55', UNRELATED: 'plain-value' };
  const secrets = serviceSecrets(http, env);
  assert.deepEqual([...secrets].sort(), ['s3cr3t-pa55', 'svc-billing']);
  assert.equal(withoutSecrets('login svc-billing:s3cr3t-pa55 ok; plain-value stays', secrets), 'login [redacted]:[redacted] ok; plain-value stays');
  const shell = ServiceConfig.parse({
    name: 'report',
    execution_type: 'shell',
    runner_config: { command: ['/bin/echo'], env: ['API_TOKEN', 'REPORT_BUCKET'] },
    security_policy: { allowed_commands: ['/bin/echo'] },
  });
  const shellSecrets = serviceSecrets(shell, { API_TOKEN: 'tok-12345', REPORT_BUCKET: 'bucket-a' });
  assert.equal(withoutSecrets('token tok-12345 into bucket-a', shellSecrets), 'token [redacted] into bucket-a', 'a passed variable is a secret when its name says so');
  const noop = ServiceConfig.parse({ name: 'quiet', execution_type: 'noop', runner_config: {} });
  assert.deepEqual(serviceSecrets(noop, env), []);
  assert.equal(withoutSecrets('nothing to hide', serviceSecrets(undefined, env)), 'nothing to hide');
});
