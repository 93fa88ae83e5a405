import { readdir, readFile } from 'node:fs/promises';

/**
 * Signals a whole process group. Runners start every child as the leader of its own group
 * (spawn detached), so the group id is the child's pid and one signal reaches its grandchildren too.
 * Returns false when no process of the group is left.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until no process of the group is left (zombies awaiting their reaper count as gone). */
export async function waitGroupGone(pgid: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    if (!(await groupHasLiveMembers(pgid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}

/** Whether a process exists and is not a zombie. */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stateOf(stat) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function stateOf(stat: string): string {
  // The command name is in parentheses and may itself hold spaces or parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  // kill(-pgid, 0) also answers for zombies; on Linux look at the members' states.
  // Without /proc to look at, assume it lives: the caller's own deadline bounds the wait.
  return (await liveGroups())?.has(pgid) ?? true;
}

/**
 * The process groups with a live (non-zombie) member, from one walk of /proc shared by every caller
 * waiting at the same moment: an emergency stop waits on many groups at once, and a walk each would
 * queue thousands of reads on the thread pool.
 */
let scanning: Promise<Set<number> | null> | null = null;

function liveGroups(): Promise<Set<number> | null> {
  scanning ??= scanProc().finally(() => {
    scanning = null;
  });
  return scanning;
}

async function scanProc(): Promise<Set<number> | null> {
  const live = new Set<number>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        try {
          const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (fields[0] !== 'Z') live.add(Number(fields[2]));
        } catch {
          // The process ended while we looked.
        }
      }),
  );
  return live;
}
