import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN } from './testing/opsdeck.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-launcher-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts `opsdeck worker` as a supervisor would, reads the running process's own command line once it
 * has started (the flags V8 was started with), then stops it with SIGTERM.
 */
async function workerCommandLine(nodeFlags: string[], env: Record<string, string | undefined> = {}, optionsFirst = false): Promise<{ argv: string[]; code: number | null }> {
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, 'services:\n  - name: nap\n    execution_type: noop\n');
  const options = ['--db', join(dir, `${nodeFlags.length}-${optionsFirst}.db`), '--registry', registry];
  const args = [...nodeFlags, BIN, ...(optionsFirst ? [...options, 'worker'] : ['worker', ...options])];
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (output.includes('worker started')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('close', () => reject(new Error(`the worker ended before it started: ${output}`)));
  });
  const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  child.kill('SIGTERM');
  return { argv, code: await exited };
}

describe('the launcher', { skip: process.platform !== 'linux' ? 'reads the worker\'s command line from /proc (Linux only)' : false }, () => {
  it('starts a worker with a small young generation, in the same process, which still drains on SIGTERM', async () => {
    const { argv, code } = await workerCommandLine([]);
    assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
    assert.deepEqual(argv.slice(-6, -4), [BIN, 'worker']);
    assert.equal(code, 0);
  });

  it('does the same when the common options come before the command', async () => {
    const { argv, code } = await workerCommandLine([], {}, true);
    assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
    assert.equal(code, 0);
  });

  it("keeps the operator's own young generation size, given to node or in NODE_OPTIONS", async () => {
    const given = await workerCommandLine(['--max-semi-space-size=16']);
    assert.deepEqual(given.argv.filter((a) => a.startsWith('--max-semi-space-size')), ['--max-semi-space-size=16']);
    const fromEnv = await workerCommandLine([], { NODE_OPTIONS: '--max-semi-space-size=4' });
    assert.deepEqual(fromEnv.argv.filter((a) => a.startsWith('--max-semi-space-size')), []);
    assert.equal(fromEnv.code, 0);
  });
});
