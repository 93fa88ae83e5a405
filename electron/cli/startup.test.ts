import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_REGISTRY_PATH } from '../api/handlers/demo.ts';

const BIN = fileURLToPath(new URL('../../bin/opsdeck.js', import.meta.url));

/**
 * Loaded into the CLI's process ahead of it: notes the package of every module resolved (and every
 * built-in module, as node:name) and prints the list on stderr as the process exits.
 */
const RECORDER = `
import { registerHooks } from 'node:module';
const packages = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    const name = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(resolved.url);
    if (name) packages.add(name[1]);
    else if (resolved.url.startsWith('node:')) packages.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => process.stderr.write('PACKAGES ' + JSON.stringify([...packages]) + '\\n'));
`;

/** The packages a CLI command loaded, as the recorder saw them. */
function packagesLoadedBy(args: string[]): Promise<{ code: number | null; packages: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' };
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(RECORDER)}`, BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('PACKAGES '));
      const packages: unknown = line ? JSON.parse(line.slice('PACKAGES '.length)) : null;
      if (!Array.isArray(packages)) return reject(new Error(`no package list from the recorder; stderr: ${stderr}`));
      resolve({ code, packages: packages.map(String), stderr });
    });
  });
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-startup-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Every command starts a process, often several a minute in an incident: what only some commands or
// some jobs need (the Docker and Lambda clients, the PostgreSQL driver, the archiver, node:http, whose
// namespace loads Node's bundled undici) is loaded when one of them needs it, not by every start.
describe('CLI start-up', () => {
  it('a command on an SQLite file loads neither the Docker, Lambda or PostgreSQL clients, tar nor node:http', async () => {
    await packagesLoadedBy(['migrate', '--db', join(dir, 'opsdeck.db')]);
    const run = await packagesLoadedBy(['status', '--db', join(dir, 'opsdeck.db'), '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.packages.includes('better-sqlite3'), `the recorder sees the packages a command does load: ${run.packages.join(', ')}`);
    assert.ok(run.packages.includes('node:fs'), `and the built-in modules: ${run.packages.join(', ')}`);
    const eager = run.packages.filter((name) => ['dockerode', 'pg', 'tar', 'node:http'].includes(name) || name.startsWith('@aws-sdk/'));
    assert.deepEqual(eager, [], `loaded at start-up: ${eager.join(', ')}`);
  });

  it('a worker on an SQLite file starts and ends without them too', async () => {
    const run = await packagesLoadedBy(['worker', '--db', join(dir, 'opsdeck.db'), '--registry', DEMO_REGISTRY_PATH, '--until-empty']);
    assert.equal(run.code, 0, run.stderr);
    const eager = run.packages.filter((name) => name === 'dockerode' || name.startsWith('@aws-sdk/') || name === 'pg');
    assert.deepEqual(eager, [], `loaded by a worker that ran no container and no function: ${eager.join(', ')}`);
  });
});
