import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildOnce } from './buildOnce.ts';

const SLOW_BUILD = fileURLToPath(new URL('./testing/slowBuild.ts', import.meta.url));

function run(outDir: string): Promise<{ pid: number; lines: string[]; code: number | null }> {
  const child = spawn(process.execPath, [SLOW_BUILD, outDir, '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ pid: child.pid ?? 0, lines: (out + err).trim().split('\n'), code })));
}

describe('building the console once when two processes start together (two `opsdeck serve` on a fresh clone)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-build-once-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('one builds, the other says it waits and then finds the build done; the folder holds one whole build', async () => {
    const outDir = join(dir, 'dist', 'renderer');
    const [a, b] = await Promise.all([run(outDir), run(outDir)]);
    assert.deepEqual([a.code, b.code], [0, 0], [...a.lines, ...b.lines].join('\n'));
    const builder = [a, b].find((p) => p.lines.includes(`built ${p.pid}`));
    const waiter = [a, b].find((p) => p.lines.includes(`up to date ${p.pid}`));
    assert.ok(builder && waiter && builder !== waiter, `one built, one waited: ${JSON.stringify([a.lines, b.lines])}`);
    assert.deepEqual(waiter.lines, [`opsdeck: another opsdeck (pid ${builder.pid}) is building the console; waiting for it...`, `up to date ${waiter.pid}`]);
    assert.ok(!waiter.lines.some((l) => l.startsWith('building')), 'the waiting one never builds');

    const files = (await readdir(outDir)).sort();
    assert.equal(files.length, 21);
    const writers = new Set(await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8'))));
    assert.deepEqual([...writers], [String(builder.pid)], 'every file of the one build, none of another');
    assert.deepEqual(await readdir(join(dir, 'dist')), ['renderer'], 'no lock and no half-built folder left beside it');
  });

  it("takes over the lock of a builder that died, and builds", async () => {
    const outDir = join(dir, 'crashed', 'renderer');
    await mkdir(join(dir, 'crashed'));
    // A pid that is no process: the builder that held the lock is gone.
    await writeFile(`${outDir}.lock`, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), since: new Date().toISOString() }));
    const told: string[] = [];
    const result = await buildOnce({
      outDir,
      upToDate: async () => false,
      onWait: () => told.push('waited'),
      pollMs: 10,
      build: async (into) => {
        await mkdir(into);
        await writeFile(join(into, 'index.html'), 'new');
      },
    });
    assert.equal(result.built, true);
    assert.equal(await readFile(join(outDir, 'index.html'), 'utf8'), 'new');
    assert.deepEqual(await readdir(join(dir, 'crashed')), ['renderer']);
  });

  it('a build that fails leaves the build in place as it was, and no lock', async () => {
    const outDir = join(dir, 'failing', 'renderer');
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'index.html'), 'old');
    await assert.rejects(
      buildOnce({
        outDir,
        upToDate: async () => false,
        build: async (into) => {
          await mkdir(into);
          await writeFile(join(into, 'index.html'), 'half');
          throw new Error('vite failed');
        },
      }),
      /vite failed/,
    );
    assert.equal(await readFile(join(outDir, 'index.html'), 'utf8'), 'old');
    assert.deepEqual(await readdir(join(dir, 'failing')), ['renderer']);
  });
});
