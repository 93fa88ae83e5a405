import { postgresPlace, sqlitePlace, type Place } from './places.ts';
import { measure } from './throughput.ts';

/**
 * `npm run bench` / `node bench/run.ts [sqlite|postgres|all] [N] [C]`: opsdeck's engine throughput on each
 * store, one JSON line per measurement on stdout, with the peers' fields (see bench/README.md).
 * Defaults are the peers' own (20000 jobs, concurrency 16), so the lines compare one to one.
 */

const USAGE = 'usage: node bench/run.ts [sqlite|postgres|all] [N] [C]';
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

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
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
