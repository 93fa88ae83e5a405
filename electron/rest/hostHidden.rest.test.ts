import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRestHandler } from './handler.ts';
import { rawRequest } from './testing/http.ts';
import { startRestServer, type RunningRestServer } from './server.ts';

const REGISTRY = ['services:', '  - name: billing', '    execution_type: http', '    runner_config:', '      base_url: http://127.0.0.1:9', '      auth_type: bearer', '      auth_config: { token_env_var: BILLING_TOKEN }', ''].join('\n');

/** A shell service naming a folder and variables: what a read key must not learn the host's answer to. */
function probing(dir: string, variable: string): string {
  return [
    'services:',
    '  - name: probe',
    '    execution_type: shell',
    '    runner_config:',
    '      command: [/bin/true]',
    `      working_directory: ${dir}`,
    `      env: [${variable}]`,
    '    security_policy:',
    '      allowed_commands: [/bin/true]',
    '',
  ].join('\n');
}

const RULE = ['name: spike', 'kind: failure_rate', 'threshold: 0.5', 'channels:', '  - type: webhook', '    url_env_var: AWS_SECRET_ACCESS_KEY', ''].join('\n');

/**
 * Over real HTTP: a read key's registry and alert-rule checks are blind to the API host (its folders and
 * variables), an operate key's are full, and answers name the process that made them.
 */
describe('REST checks of a text, by key scope', () => {
  let dir = '';
  let runtime: Runtime;
  let server: RunningRestServer;
  let readKey = '';
  let operateKey = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-hosthidden-'));
    const registryPath = join(dir, 'registry.yaml');
    await writeFile(registryPath, REGISTRY);
    const env = { PATH: process.env.PATH, DATABASE_PASSWORD: 'secret' };
    runtime = await createRuntime({ db: join(dir, 'o.db'), registryPath, execute: false, env, answeredBy: 'api', words: CONSOLE_WORDS });
    server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx }) });
    const make = async (name: string, scope: 'read' | 'operate') => {
      const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
      return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
    };
    readKey = await make('dashboard', 'read');
    operateKey = await make('ops', 'operate');
  });

  after(async () => {
    await server?.close();
    await runtime?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function post(path: string, key: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await rawRequest({ port: server.port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: JSON.parse(res.body) };
  }

  async function validated(key: string, text: string): Promise<string[]> {
    const res = await post('/v1/registry/validate', key, { text });
    assert.equal(res.status, 200);
    return calls['registry.validate'].output.parse(res.json).problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
  }

  async function ruleChecked(key: string, text: string): Promise<string[]> {
    const res = await post('/v1/alerts/rules/check', key, { text });
    assert.equal(res.status, 200);
    return calls['alerts.checkRule'].output.parse(res.json).problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
  }

  it('answers a read key alike whatever folder or variable it names, and names each one not checked on this host, at its line', async () => {
    const missing = await validated(readKey, probing('/nonexistent-dir', 'AWS_SECRET_ACCESS_KEY'));
    const present = await validated(readKey, probing(dir, 'DATABASE_PASSWORD'));
    assert.deepEqual(missing, present.map((p) => p.replace(dir, '/nonexistent-dir').replace('DATABASE_PASSWORD', 'AWS_SECRET_ACCESS_KEY')), 'nothing tells a missing folder or variable from a present one');
    assert.deepEqual(missing, [
      '5:17 services[0].runner_config.command[0]: not checked on this host: program /bin/true; that needs an operate key',
      '6:26 services[0].runner_config.working_directory: not checked on this host: working directory /nonexistent-dir; that needs an operate key',
      '7:13 services[0].runner_config.env[0]: not checked on this host: variable AWS_SECRET_ACCESS_KEY; that needs an operate key',
    ]);
  });

  it("tells a read key nothing was left out when its text names nothing of this host's, as an operate key is told", async () => {
    const text = ['services:', '  - name: probe', '    execution_type: shell', '    runner_config: { command: [sh, -c, date] }', ''].join('\n');
    const forOperate = await validated(operateKey, text);
    assert.deepEqual(forOperate, ["4:32 services[0].runner_config.command[0]: command[0] must be an absolute path: 'sh'"], 'a relative program is an error on any host, and never looked for');
    assert.deepEqual(await validated(readKey, text), forOperate);
    assert.deepEqual(await ruleChecked(readKey, 'name: lost\nkind: worker_lost\nchannels: [{ type: desktop }]\n'), []);
  });

  it('checks an operate key\'s text in full: the folder and the variable missing on this host', async () => {
    const problems = await validated(operateKey, probing('/nonexistent-dir', 'AWS_SECRET_ACCESS_KEY'));
    assert.ok(problems.some((p) => /Working directory '\/nonexistent-dir' does not exist/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /AWS_SECRET_ACCESS_KEY is not set/.test(p)), problems.join('\n'));
    assert.ok(!problems.some((p) => /not checked on this host/.test(p)), problems.join('\n'));
    assert.deepEqual(await validated(operateKey, probing(dir, 'DATABASE_PASSWORD')), []);
  });

  it("checks an alert rule's channel variables only for an operate key, naming each to a read key at its line", async () => {
    assert.deepEqual(await ruleChecked(readKey, RULE), ['6:18 channels[0].url_env_var: not checked on this host: variable AWS_SECRET_ACCESS_KEY; that needs an operate key']);
    const forOperate = await ruleChecked(operateKey, RULE);
    assert.ok(forOperate.some((p) => /^6:18 channels\[0\]\.url_env_var: environment variable AWS_SECRET_ACCESS_KEY is not set/.test(p)), forOperate.join('\n'));
  });

  it("names the API server's process, as a direct call does", async () => {
    const res = await rawRequest({ port: server.port, path: '/v1/runners/token/billing', headers: { authorization: `Bearer ${operateKey}` } });
    assert.equal(res.status, 200);
    const detail = calls['runners.validateToken'].output.parse(JSON.parse(res.body)).detail;
    assert.match(detail, /this check runs in the API server's process, which lacks BILLING_TOKEN/);
  });
});
