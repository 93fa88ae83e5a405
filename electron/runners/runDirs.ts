import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from './processTree.ts';

/**
 * Named for this host and process: a /tmp shared between containers (each its own pids, usually its own
 * host name) is swept only of this host's folders.
 */
const HOST = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 64);
const PREFIX = `opsdeck-shell-${HOST}-`;

let swept: Promise<unknown> | null = null;

/**
 * A private folder for one run's GNU time report, named for this process. A worker killed outright
 * cannot remove its folders; the next one on the machine removes those of processes that are gone.
 */
export async function newRunDir(): Promise<string> {
  swept ??= sweepDeadRunDirs().catch(() => undefined);
  return mkdtemp(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
}

/** Removes this host's run folders of processes that no longer exist. */
export async function sweepDeadRunDirs(dir = os.tmpdir()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || (await processAlive(pid))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
