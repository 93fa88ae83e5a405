import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sweepDeadRunDirs } from './runDirs.ts';

test("this host's run folders of processes that are gone are removed; the rest stay", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-rundirs-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A process that has ended: its pid is free (a reuse by then would only keep its folder a while longer).
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(ended.stdout);
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 64);
  const kept = [`opsdeck-shell-${host}-${process.pid}-bbbbbb`, `opsdeck-shell-otherhost-${deadPid}-dddddd`, 'opsdeck-other-1-cccccc', 'unrelated'];
  for (const name of [`opsdeck-shell-${host}-${deadPid}-aaaaaa`, ...kept]) await mkdir(path.join(dir, name));
  assert.equal(await sweepDeadRunDirs(dir), 1);
  assert.deepEqual((await readdir(dir)).sort(), kept.sort(), "this process's folder, another host's and other files stay");
});
