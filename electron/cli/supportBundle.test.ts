import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { startFakeLambda, type FakeLambda } from '../runners/testing/fakeLambda.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/** `opsdeck support-bundle` as an operator runs it: a real worker, a fake Lambda on 127.0.0.1, a real .tar.gz. */
describe('opsdeck support-bundle', () => {
  let dir: string;
  let lambda: FakeLambda;
  let common: string[];
  let env: Record<string, string | undefined>;

  const NAMED_SECRET = 'named-secret-4f1c8a2b9d';
  const CHAIN_SECRET = 'chain-secret-7e2d5b1a3c';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-bundle-'));
    lambda = await startFakeLambda();
    const registry = join(dir, 'registry.yaml');
    const fn = (name: string, extra: string[]) => [
      `  - name: ${name}`,
      '    execution_type: serverless',
      '    retry_config: { max_retries: 0 }',
      '    runner_config:',
      '      function_name: handled-error',
      '      region: eu-west-1',
      `      endpoint: "${lambda.endpoint}"`,
      ...extra,
    ];
    await writeFile(
      registry,
      ['services:', ...fn('lambda_chain', []), ...fn('lambda_named', ['      access_key_env_var: LAMBDA_KEY', '      secret_key_env_var: LAMBDA_SECRET']), ''].join('\n'),
    );
    common = ['--db', join(dir, 'bundle.db'), '--registry', registry];
    env = {
      // The SDK's default chain finds these first, and asks no instance metadata of a network this machine lacks.
      AWS_ACCESS_KEY_ID: 'AKIDCHAIN',
      AWS_SECRET_ACCESS_KEY: CHAIN_SECRET,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: undefined,
      LAMBDA_KEY: 'AKIDNAMED',
      LAMBDA_SECRET: NAMED_SECRET,
      // No desktop app has run here: the bundle says its log is missing.
      XDG_DATA_HOME: join(dir, 'data'),
    };
    for (const service of ['lambda_chain', 'lambda_named']) ok(await opsdeck(['enqueue', service, ...common], env));
    const work = await opsdeck(['worker', '--until-empty', ...common], env);
    assert.equal(work.code, 0, work.stderr);
  });

  after(async () => {
    await lambda?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function extracted(file: string): Promise<Record<string, string>> {
    const out = await mkdtemp(join(dir, 'x-'));
    await tar.x({ file, cwd: out });
    const names = await readdir(out);
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(out, n), 'utf8')] as const)));
  }

  it('does not write over a file that is there: it says so, and --force replaces it with a private file', async () => {
    const out = join(dir, 'support.tar.gz');
    await writeFile(out, 'an earlier bundle');
    await chmod(out, 0o644);
    const refused = await opsdeck(['support-bundle', '--output', out, ...common], env);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), `opsdeck: ${out} exists: give --output a new file, or add --force to replace it`);
    assert.equal(await readFile(out, 'utf8'), 'an earlier bundle', 'left as it was');

    const replaced = await opsdeck(['support-bundle', '--output', out, '--force', ...common], env);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, new RegExp(`^wrote ${out}, replacing the file that was there \\(diagnose\\.json, `));
    assert.equal((await stat(out)).mode & 0o777, 0o600, 'as private as a new bundle');
    assert.ok('diagnose.json' in (await extracted(out)));

    const fresh = join(dir, 'new.tar.gz');
    assert.doesNotMatch(ok(await opsdeck(['support-bundle', '--output', fresh, ...common], env)), /replacing/);
  });

  it('says where a serverless job took its credential from, by the variables\' names, and never their values', async () => {
    const out = join(dir, 'credentials.tar.gz');
    ok(await opsdeck(['support-bundle', '--output', out, ...common], env));
    const files = await extracted(out);
    const failures = files['failures.json'] ?? '';
    assert.match(failures, /"credentials": \{\s*"source": "sdk_default_chain"\s*\}/);
    assert.match(failures, /"credentials": \{\s*"source": "env_vars",\s*"access_key_env_var": "LAMBDA_KEY",\s*"secret_key_env_var": "LAMBDA_SECRET"\s*\}/);
    assert.doesNotMatch(failures, /"credentials": "\[redacted\]"/);
    const all = Object.values(files).join('\n');
    for (const secret of [NAMED_SECRET, CHAIN_SECRET]) assert.ok(!all.includes(secret), `the bundle holds ${secret}`);
  });

  it('README.txt says what the bundle holds, what it never does, and where the workers log', async () => {
    const out = join(dir, 'readme.tar.gz');
    ok(await opsdeck(['support-bundle', '--output', out, ...common], env));
    const readme = (await extracted(out))['README.txt'] ?? '';
    assert.match(readme, /^In it:$/m);
    assert.match(readme, /^failures\.json +the newest 200 failed jobs, with the attempts of the newest 20/m);
    assert.ok(readme.includes(`opsdeck.log is missing: the desktop app has written no log on this machine (${join(dir, 'data', 'opsdeck', 'logs')})`), readme);
    assert.match(readme, /^Not in it:$/m);
    assert.match(readme, /^- the logs of workers and of the browser and REST hosts: a worker \(opsdeck worker\) logs on its stdout, .*journalctl -u opsdeck-worker/m);
  });
});
