import { parseArgs as parseOptions } from 'node:util';
import { postgresPlace, sqlitePlace, type Place } from './places.ts';
import { measureConsoleLoad } from './consoleLoad.ts';
import { measureLatency } from './latency.ts';
import { timeLeftOut } from './leftOut.ts';
import { filledStore, summedHours, timeQueries } from './queries.ts';
import { soak } from './soak.ts';
import { measure } from './throughput.ts';
import { openStore } from '../electron/store/open.ts';
import type { Store } from '../electron/store/store.ts';

/**
 * `npm run bench` / `node bench/run.ts [sqlite|postgres|all] [N] [C]`: opsdeck's engine throughput on each
 * store, one JSON line per measurement on stdout, with the peers' fields (see bench/README.md).
 * Defaults are the peers' own (20000 jobs, concurrency 16), so the lines compare one to one.
 *
 * `node bench/run.ts queries [--store sqlite|postgres] [--jobs N] [--runs N] [--keep] [--at LOCATION] [--only TEXT]`: every
 * console call on a store filled with N jobs of history (queries.ts); `--keep` leaves the store in place and
 * says where, `--at` measures such a kept store again without filling it, `--only` times only the calls
 * whose label holds TEXT.
 *
 * `node bench/run.ts latency [--store sqlite|postgres] [--jobs N]`: how soon an idle worker starts a single
 * job enqueued by another connection, one job a second (latency.ts).
 *
 * `node bench/run.ts console [--store sqlite|postgres] [--jobs N] [--runs PAIRS] [--at LOCATION]`: the engine's
 * throughput on a million-job store with a console open in its process against without (consoleLoad.ts).
 *
 * `node bench/run.ts soak [--store sqlite|postgres] [--jobs N]`: one worker through N jobs, its throughput
 * and memory sampled every tenth (soak.ts).
 *
 * `node bench/run.ts left-out [--store sqlite|postgres] [--jobs N]`: claims of 16 behind N jobs they may not
 * take (a breaker open, a service capped, a queue paused or served elsewhere), one line per case (leftOut.ts).
 */

const USAGE = `usage: node bench/run.ts [sqlite|postgres|all] [N] [C]
       node bench/run.ts queries [--store sqlite|postgres] [--jobs N] [--runs N] [--keep] [--at LOCATION] [--only TEXT]
       node bench/run.ts latency [--store sqlite|postgres] [--jobs N]
       node bench/run.ts console [--store sqlite|postgres] [--runs PAIRS] [--keep] [--at LOCATION]
       node bench/run.ts soak [--store sqlite|postgres] [--jobs N]
       node bench/run.ts left-out [--store sqlite|postgres] [--jobs N]`;
/** A mistake in the arguments: reported with the usage line and exit code 2, not as a failed run. */
class UsageError extends Error {}

const PLACES: Record<'sqlite' | 'postgres', () => Promise<Place>> = { sqlite: sqlitePlace, postgres: postgresPlace };

function positiveInt(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer, not ${JSON.stringify(text)}`);
  return n;
}

function parseArgs(argv: string[]): { stores: Array<keyof typeof PLACES>; jobs: number; concurrency: number } {
  const [which = 'all', n, c, ...rest] = argv;
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
  const stores: Array<keyof typeof PLACES> | null = which === 'all' ? ['sqlite', 'postgres'] : which === 'sqlite' || which === 'postgres' ? [which] : null;
  if (!stores) throw new UsageError(`unknown store ${JSON.stringify(which)}`);
  return { stores, jobs: positiveInt(n, 20_000, 'N'), concurrency: positiveInt(c, 16, 'C') };
}

interface QueryArgs {
  store: keyof typeof PLACES;
  jobs: number;
  runs: number;
  keep: boolean;
  at: string | null;
  /** Only the probes whose label holds this text. */
  only: string | null;
}

function parseQueryArgs(argv: string[]): QueryArgs {
  let parsed;
  try {
    parsed = parseOptions({
      args: argv,
      options: {
        store: { type: 'string', default: 'sqlite' },
        jobs: { type: 'string' },
        runs: { type: 'string' },
        keep: { type: 'boolean', default: false },
        at: { type: 'string' },
        only: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { store, jobs, runs, keep, at, only } = parsed.values;
  if (store !== 'sqlite' && store !== 'postgres') throw new UsageError(`unknown store ${JSON.stringify(store)}`);
  return { store, jobs: positiveInt(jobs, 1_000_000, '--jobs'), runs: positiveInt(runs, 10, '--runs'), keep: keep === true, at: at ?? null, only: only ?? null };
}

async function queries(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv);
  const log = (line: string) => console.error(`[${args.store}] ${line}`);
  const print = async (store: Store) => {
    // A kept store says how many jobs it holds by its newest one.
    const newest = args.at ? (await store.listJobs({}, { limit: 1 })).items[0]?.id : args.jobs;
    if (newest === undefined) throw new Error(`${args.at} holds no jobs: fill a store once with --keep, then pass the place it names to --at`);
    const jobs = newest;
    for (const timing of await timeQueries(store, jobs, args.runs, args.only)) console.log(JSON.stringify({ store: args.store, jobs, ...timing }));
  };
  if (args.at) {
    const store = await openStore(args.at);
    try {
      await summedHours(store, log);
      await print(store);
    } finally {
      await store.close();
    }
    return 0;
  }
  const place = await PLACES[args.store]();
  try {
    const store = await filledStore(place.location, args.store, args.jobs, log);
    try {
      await print(store);
    } finally {
      await store.close();
    }
  } finally {
    if (args.keep) log(`kept at ${place.location}`);
    else await place.remove();
  }
  return 0;
}

async function latency(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv);
  const place = await PLACES[args.store]();
  try {
    const jobs = args.jobs === 1_000_000 ? 5 : args.jobs;
    const result = await measureLatency({ location: place.location, dir: place.dir, jobs, gapMs: 1000, log: (line) => console.error(`[${args.store}] ${line}`) });
    console.log(JSON.stringify(result));
  } finally {
    await place.remove();
  }
  return 0;
}

/** Engine runs of 100 000 jobs, alone and beside a console, on a store filled with --jobs of history. */
async function consoleLoad(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv);
  const log = (line: string) => console.error(`[${args.store}] ${line}`);
  const place = await PLACES[args.store]();
  try {
    const store = args.at ? await openStore(args.at) : await filledStore(place.location, args.store, args.jobs, log);
    try {
      for (const pair of await measureConsoleLoad({ store, dir: place.dir, jobs: 100_000, pairs: args.runs, log: () => {} })) {
        console.log(JSON.stringify({ store: args.store, history: args.jobs, jobs: 100_000, ...pair }));
      }
    } finally {
      await store.close();
    }
  } finally {
    if (args.keep && !args.at) log(`kept at ${place.location}`);
    else await place.remove();
  }
  return 0;
}

async function soakRun(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv);
  const place = await PLACES[args.store]();
  try {
    console.log(JSON.stringify(await soak({ location: place.location, dir: place.dir, jobs: args.jobs, log: (line) => console.error(`[${args.store}] ${line}`) })));
  } finally {
    await place.remove();
  }
  return 0;
}

async function leftOut(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv);
  const log = (line: string) => console.error(`[${args.store}] ${line}`);
  for (const timing of await timeLeftOut({ place: PLACES[args.store], leftOut: args.jobs, log })) console.log(JSON.stringify(timing));
  return 0;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    if (process.argv[2] === 'queries') return await queries(process.argv.slice(3));
    if (process.argv[2] === 'latency') return await latency(process.argv.slice(3));
    if (process.argv[2] === 'console') return await consoleLoad(process.argv.slice(3));
    if (process.argv[2] === 'soak') return await soakRun(process.argv.slice(3));
    if (process.argv[2] === 'left-out') return await leftOut(process.argv.slice(3));
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  for (const name of args.stores) {
    const place = await PLACES[name]();
    try {
      const result = await measure({
        location: place.location,
        dir: place.dir,
        jobs: args.jobs,
        concurrency: args.concurrency,
        log: (line) => console.error(`[${name}] ${line}`),
      });
      console.log(JSON.stringify(result));
    } finally {
      await place.remove();
    }
  }
  return 0;
}

// A failed measurement (lost jobs, an unreachable server) ends the run with a non-zero exit and the reason.
const code = await main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
});
process.exitCode = code;
