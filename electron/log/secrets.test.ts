import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryHolder } from '../config/holder.ts';
import { LogSecrets } from './secrets.ts';

const YAML = ['services:', '  - name: payments', '    execution_type: http', '    runner_config:', '      base_url: "http://127.0.0.1:1"', '      auth_type: bearer', '      auth_config: { token_env_var: PAYMENTS_TOKEN }', ''].join('\n');

test('a store URL added later is cut beside the registry secrets, and stays cut when the registry reloads', () => {
  const env = { PAYMENTS_TOKEN: 'reg-token-1234' };
  const holder = new RegistryHolder(env);
  const secrets = new LogSecrets(env);
  secrets.follow(holder);
  assert.ok(holder.loadText(YAML, 'r.yaml').ok);
  secrets.addUrl('postgres://ops:Switched-Pw-1@db/ops');
  assert.ok(secrets.values.includes('reg-token-1234'));
  assert.ok(secrets.values.includes('Switched-Pw-1'));
  assert.ok(holder.loadText(YAML, 'r.yaml').ok);
  assert.ok(secrets.values.includes('Switched-Pw-1'));
});

test('a URL pasted with spaces around it, which the store opens all the same, has its password cut too', () => {
  const secrets = new LogSecrets({});
  secrets.addUrl('  postgres://ops:Pasted-Pw-2@db/ops\n');
  assert.ok(secrets.values.includes('Pasted-Pw-2'), `values: ${JSON.stringify(secrets.values)}`);
});
