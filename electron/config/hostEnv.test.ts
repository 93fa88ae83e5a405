import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryProblem } from '../../shared/registry.ts';
import { parseAlertRule } from './alertRuleFile.ts';
import { BlindHost } from './hostEnv.ts';
import { parseRegistry } from './load.ts';

const BLIND = new BlindHost('an operate key');
const NOT_HERE = '/nonexistent-opsdeck-host';

const at = (problems: RegistryProblem[]) => problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);

test('a text that names nothing of the host is answered blind without a warning, as in full', () => {
  const text = [
    'services:',
    '  - name: tick',
    '    execution_type: noop',
    '  - name: status',
    '    execution_type: http',
    '    runner_config: { base_url: "http://127.0.0.1:9", auth_type: none }',
    '  - name: thumbs',
    '    execution_type: docker',
    '    runner_config: { image: "thumbs:1" }',
    '    security_policy: { allowed_images: ["thumbs:*"] }',
    '  - name: resize',
    '    execution_type: serverless',
    '    runner_config: { function_name: resize }',
    'alerts:',
    '  - name: lost',
    '    kind: worker_lost',
    '    channels: [{ type: desktop }]',
    '',
  ].join('\n');
  const blind = parseRegistry(text, 'r.yaml', BLIND);
  assert.deepEqual(at(blind.problems), []);
  assert.equal(blind.registry?.services.length, 4);
  assert.deepEqual(parseRegistry(text, 'r.yaml', {}).problems, []);
  assert.deepEqual(parseAlertRule('name: lost\nkind: worker_lost\nchannels: [{ type: desktop }]\n', BLIND, null).problems, []);
});

test('blind, a program and a variable the text names are each a warning at their own line, naming them, and nothing else is', () => {
  const text = [
    'services:',
    '  - name: etl',
    '    execution_type: shell',
    '    runner_config:',
    '      command: [/usr/local/bin/etl, --full]',
    '      env: [ETL_TOKEN]',
    '    security_policy: { allowed_commands: [/usr/local/bin/etl] }',
    '',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', BLIND);
  assert.ok(registry, 'warnings only: it validates');
  assert.deepEqual(at(problems), [
    '5:17 services[0].runner_config.command[0]: not checked on this host: program /usr/local/bin/etl; that needs an operate key',
    '6:13 services[0].runner_config.env[0]: not checked on this host: variable ETL_TOKEN; that needs an operate key',
  ]);
  const rule = parseAlertRule('name: spike\nkind: failure_rate\nthreshold: 0.5\nchannels:\n  - type: desktop\n  - type: slack\n    url_env_var: SLACK_URL\n', BLIND, null);
  assert.deepEqual(at(rule.problems), ['7:18 channels[1].url_env_var: not checked on this host: variable SLACK_URL; that needs an operate key']);
});

/** Every kind of service naming every thing of the host a check reads, none of which this host has. */
const EVERYTHING = [
  'services:',
  '  - name: etl',
  '    execution_type: shell',
  '    runner_config:',
  `      command: [${NOT_HERE}/bin/etl]`,
  `      working_directory: ${NOT_HERE}/etl`,
  '      env: [ETL_TOKEN]',
  `    security_policy: { allowed_commands: [${NOT_HERE}/bin/etl] }`,
  '  - name: report',
  '    execution_type: shell',
  '    runner_config:',
  '      command: [sh, -c, report]',
  '      working_directory: relative/dir',
  '    security_policy:',
  `      allowed_roots: [relative, ${NOT_HERE}/reports]`,
  '  - name: nightly',
  '    execution_type: shell',
  '    runner_config:',
  `      command: [${NOT_HERE}/bin/nightly]`,
  '    security_policy:',
  `      allowed_commands: [${NOT_HERE}/bin/nightly]`,
  `      allowed_roots: [${NOT_HERE}/nightly]`,
  '  - name: billing',
  '    execution_type: http',
  '    runner_config:',
  '      base_url: http://127.0.0.1:9',
  '      auth_type: basic',
  '      auth_config: { username_env_var: BILLING_USER, password_env_var: BILLING_PASSWORD }',
  '  - name: ledger',
  '    execution_type: http',
  '    runner_config: { base_url: "http://127.0.0.1:9", auth_type: bearer, auth_config: { token_env_var: LEDGER_TOKEN } }',
  '  - name: thumbs',
  '    execution_type: docker',
  '    runner_config:',
  '      image: thumbs:1',
  '      env: [THUMBS_KEY]',
  '      registry_auth: { username_env_var: REG_USER, password_env_var: REG_PASSWORD }',
  '    security_policy: { allowed_images: ["thumbs:*"] }',
  '  - name: resize',
  '    execution_type: serverless',
  '    runner_config: { function_name: resize, access_key_env_var: AWS_ACCESS_KEY_ID, secret_key_env_var: AWS_SECRET_ACCESS_KEY }',
  'alerts:',
  '  - name: spike',
  '    kind: failure_rate',
  '    threshold: 0.5',
  '    channels:',
  '      - type: desktop',
  '      - type: webhook',
  '        url_env_var: HOOK_URL',
  '',
].join('\n');

test('blind, every check of the host is named where the text asks for it: exactly where the full check on a host without them finds them missing', () => {
  const blind = parseRegistry(EVERYTHING, 'r.yaml', BLIND).problems;
  const skipped = blind.filter((p) => p.message.startsWith('not checked on this host: '));
  assert.deepEqual(
    skipped.map((p) => `${p.line} ${p.path}: ${p.message.replace(/^not checked on this host: (.*); that needs an operate key$/, '$1')}`),
    [
      `5 services[0].runner_config.command[0]: program ${NOT_HERE}/bin/etl`,
      `6 services[0].runner_config.working_directory: working directory ${NOT_HERE}/etl`,
      '7 services[0].runner_config.env[0]: variable ETL_TOKEN',
      `19 services[2].runner_config.command[0]: program ${NOT_HERE}/bin/nightly`,
      `22 services[2].security_policy.allowed_roots[0]: folder ${NOT_HERE}/nightly`,
      '28 services[3].runner_config.auth_config.username_env_var: variable BILLING_USER',
      '28 services[3].runner_config.auth_config.password_env_var: variable BILLING_PASSWORD',
      '31 services[4].runner_config.auth_config.token_env_var: variable LEDGER_TOKEN',
      '36 services[5].runner_config.env[0]: variable THUMBS_KEY',
      '37 services[5].runner_config.registry_auth.username_env_var: variable REG_USER',
      '37 services[5].runner_config.registry_auth.password_env_var: variable REG_PASSWORD',
      '41 services[6].runner_config.access_key_env_var: variable AWS_ACCESS_KEY_ID',
      '41 services[6].runner_config.secret_key_env_var: variable AWS_SECRET_ACCESS_KEY',
      '49 alerts[0].channels[1].url_env_var: variable HOOK_URL',
    ],
    'a relative program or folder is an error on any host, never looked for',
  );
  // The full check's answer is the blind one's with each skipped check made: no check of the host is
  // left out blind, and none is said to be skipped that the full check does not make.
  const unchanged = new Set(at(blind.filter((p) => !skipped.includes(p))));
  const found = parseRegistry(EVERYTHING, 'r.yaml', {}).problems.filter((p) => !unchanged.has(at([p])[0] ?? ''));
  assert.deepEqual(
    found.map((p) => `${p.line}:${p.col} ${p.path}`),
    skipped.map((p) => `${p.line}:${p.col} ${p.path}`),
    at(found).join('\n'),
  );
});
