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

const ownGroups = new Set<number>();
let killingOnExit = false;

/**
 * Kills the group if this process exits while it runs: a worker told to leave at once (a second SIGTERM)
 * must not leave its jobs running, to be started again elsewhere once their leases expire. Exit handlers
 * run synchronously, and so does process.kill. A worker killed outright runs no handler: the parent-death
 * signal the shell runner asks for covers that. Returns the call that forgets the group once it is gone.
 */
export function killOnExit(pgid: number): () => void {
  if (!killingOnExit) {
    killingOnExit = true;
    process.on('exit', () => {
      for (const group of ownGroups) signalGroup(group, 'SIGKILL');
    });
  }
  ownGroups.add(pgid);
  return () => ownGroups.delete(pgid);
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
  const groups = await liveGroups();
  return groups ? groups.has(pgid) : true;
}

/**
 * Signals every live member of the group but its leader, or the leader when it is alone. For a leader
 * that waits on its children (GNU time around the program): it reaps them and reports, instead of
 * dying with them and leaving their zombies to an init that may be slow to collect them.
 */
export async function signalGroupBelowLeader(pgid: number, signal: NodeJS.Signals): Promise<void> {
  const members = (await liveGroups())?.get(pgid)?.filter((pid) => pid !== pgid) ?? [];
  if (members.length === 0) {
    signalGroup(pgid, signal);
    return;
  }
  for (const pid of members) {
    try {
      process.kill(pid, signal);
    } catch {
      // It ended meanwhile.
    }
  }
}

/**
 * The live (non-zombie) members of every process group, from one walk of /proc shared by every caller
 * waiting at the same moment: an emergency stop waits on many groups at once, and a walk each would
 * queue thousands of reads on the thread pool.
 */
let scanning: Promise<Map<number, number[]> | null> | null = null;

function liveGroups(): Promise<Map<number, number[]> | null> {
  scanning ??= scanProc().finally(() => {
    scanning = null;
  });
  return scanning;
}

async function scanProc(): Promise<Map<number, number[]> | null> {
  const groups = new Map<number, number[]>();
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
          if (fields[0] === 'Z') return;
          const pgid = Number(fields[2]);
          const members = groups.get(pgid);
          if (members) members.push(Number(entry));
          else groups.set(pgid, [Number(entry)]);
        } catch {
          // The process ended while we looked.
        }
      }),
  );
  return groups;
}
