import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN } from '../testing/opsdeck.ts';
import { COMMAND_NAMES, loadCommand, loadCommands } from './index.ts';

/** Records every module the process loads and prints their URLs as JSON on stderr when it exits. */
const RECORD_LOADS = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('\\n' + JSON.stringify(seen)));
`)}`;

/** The command modules (electron/cli/commands/*) that `opsdeck ARGS` loaded, by file name. */
function commandModulesLoaded(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORD_LOADS, BIN, ...args], {
      env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, DATABASE_URL: undefined, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const urls: unknown = JSON.parse(stderr.trim().split('\n').at(-1) ?? '[]');
      assert.ok(Array.isArray(urls), stderr);
      resolve(urls.map(String).flatMap((url) => /\/electron\/cli\/commands\/([^/]+\.ts)$/.exec(url)?.[1] ?? []).sort());
    });
  });
}

describe('the command table', () => {
  it('names every command once, in the order --help lists them, each loading the command of its name', async () => {
    assert.equal(new Set(COMMAND_NAMES).size, COMMAND_NAMES.length);
    const loaded = await loadCommands();
    assert.deepEqual(loaded.map((c) => c.name), [...COMMAND_NAMES]);
    for (const name of COMMAND_NAMES) assert.equal((await loadCommand(name))?.name, name);
    assert.equal(await loadCommand('nosuch'), undefined);
  });

  it('a command line loads the module of its own command only, and --version or a typo none', async () => {
    assert.deepEqual(await commandModulesLoaded(['--version']), ['index.ts']);
    assert.deepEqual(await commandModulesLoaded(['statu']), ['index.ts']);
    assert.deepEqual(await commandModulesLoaded(['status', '--help']), ['index.ts', 'status.ts']);
    assert.deepEqual(await commandModulesLoaded(['help', 'retry']), ['index.ts', 'jobs.ts']);
  });
});
