import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Who is building, as the lock file says: enough to tell a live builder from a crashed one. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface BuildOnceOptions {
  /** The folder the build ends up in. */
  outDir: string;
  /** Whether outDir holds a build of the current sources: then nothing is built. */
  upToDate(): Promise<boolean>;
  /** Writes a whole build into `dir`, a fresh folder beside outDir. */
  build(dir: string): Promise<void>;
  /** Told once when another process is building, before this one waits for it. */
  onWait?(holder: LockHolder | null): void;
  /** Told when this process starts building (not when it found the build done). */
  onBuild?(): void;
  pollMs?: number;
  /** A lock older than this is taken for a builder that died without a trace (a build takes about 30 s). */
  staleMs?: number;
}

const isCode = (error: unknown, ...codes: string[]): boolean => error instanceof Error && 'code' in error && typeof error.code === 'string' && codes.includes(error.code);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's.
    return !isCode(error, 'ESRCH');
  }
}

async function readHolder(lock: string): Promise<LockHolder | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(lock, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const pid: unknown = Reflect.get(parsed, 'pid');
    const host: unknown = Reflect.get(parsed, 'host');
    const since: unknown = Reflect.get(parsed, 'since');
    return typeof pid === 'number' && typeof host === 'string' && typeof since === 'string' ? { pid, host, since } : null;
  } catch {
    // Gone since, or being written: the caller looks again.
    return null;
  }
}

/** Takes the lock, or says who holds it; a holder that died is cleared and the lock taken on the next try. */
async function tryLock(lock: string, staleMs: number): Promise<{ taken: true } | { taken: false; holder: LockHolder | null }> {
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  // Written whole under a name of its own, then linked as the lock (which fails if the lock exists): the
  // lock is never there empty, so a process that finds it always learns who holds it.
  const draft = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(draft, JSON.stringify(me));
  try {
    await link(draft, lock);
    return { taken: true };
  } catch (error) {
    if (!isCode(error, 'EEXIST')) throw error;
  } finally {
    await rm(draft, { force: true });
  }
  const holder = await readHolder(lock);
  const age = await stat(lock).then(
    (info) => Date.now() - info.mtimeMs,
    () => 0,
  );
  const dead = holder !== null && holder.host === me.host && !alive(holder.pid);
  if (dead || age > staleMs) await rm(lock, { force: true });
  return { taken: false, holder };
}

/**
 * Puts a finished build in place. A rename is atomic, so outDir always holds one whole build, never a
 * mix of two; a build already there (another process's, finished meanwhile) is moved aside first.
 */
async function swapIn(built: string, outDir: string): Promise<void> {
  for (;;) {
    try {
      await rename(built, outDir);
      return;
    } catch (error) {
      if (!isCode(error, 'ENOTEMPTY', 'EEXIST', 'EPERM', 'EISDIR')) throw error;
    }
    const aside = join(dirname(outDir), `.${basename(outDir)}-old-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(outDir, aside).catch((error: unknown) => {
      // Moved aside by another process meanwhile: the next rename finds the place free.
      if (!isCode(error, 'ENOENT')) throw error;
    });
    await rm(aside, { recursive: true, force: true });
  }
}

/**
 * Builds outDir once, however many processes ask at the same time (two `opsdeck serve` started together
 * on a fresh clone). One builds, under a lock file beside outDir; the others wait for it, saying so, and
 * then find the build up to date. The build is written to a folder of its own and renamed into place, so
 * even without the lock (a builder that died and left it) nobody ever serves a half-written build.
 */
export async function buildOnce(opts: BuildOnceOptions): Promise<{ built: boolean }> {
  if (await opts.upToDate()) return { built: false };
  const lock = `${opts.outDir}.lock`;
  await mkdir(dirname(opts.outDir), { recursive: true });
  let told = false;
  for (;;) {
    const attempt = await tryLock(lock, opts.staleMs ?? 10 * 60_000);
    if (attempt.taken) break;
    if (!told) {
      opts.onWait?.(attempt.holder);
      told = true;
    }
    await sleep(opts.pollMs ?? 250);
  }
  try {
    // Built by the process this one waited for.
    if (await opts.upToDate()) return { built: false };
    const dir = join(dirname(opts.outDir), `.${basename(opts.outDir)}-building-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      opts.onBuild?.();
      await opts.build(dir);
      await swapIn(dir, opts.outDir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return { built: true };
  } finally {
    // Only our own: a lock judged stale and taken over meanwhile is the new builder's.
    const holder = await readHolder(lock);
    if (holder?.pid === process.pid && holder.host === hostname()) await rm(lock, { force: true });
  }
}
