import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ApiContext } from '../electron/api/context.ts';
import { dispatch } from '../electron/api/dispatch.ts';
import { RegistryHolder } from '../electron/config/holder.ts';
import { Engine } from '../electron/engine/engine.ts';
import type { Store } from '../electron/store/store.ts';
import { lineLogger } from '../electron/log/logger.ts';
import { CONSOLE_WORDS } from '../electron/api/interfaceWords.ts';

/**
 * `npm run bench -- console`: does an open console slow the engine that shares its process? On a store
 * holding a million jobs of history, the engine runs N fresh no-op jobs, once alone and once while a
 * console reads what an operator's open console reads (the stats tick, the jobs page and the dead-letter
 * groups, refreshed as live updates would), in alternating pairs; each pair's ratio is reported.
 */

const QUEUE = 'bench_console';

export interface ConsoleLoadPair {
  alone_per_s: number;
  with_console_per_s: number;
  /** with_console_per_s / alone_per_s. */
  ratio: number;
  console_reads: number;
  /** The slowest console read while the engine ran. */
  slowest_read_ms: number;
}

async function benchRegistry(dir: string): Promise<RegistryHolder> {
  const file = path.join(dir, 'console-registry.yaml');
  await writeFile(file, JSON.stringify({ services: [{ name: 'bench_noop', execution_type: 'noop', queue: QUEUE, runner_config: { sleep_ms: 0 } }] }));
  const registry = new RegistryHolder(process.env);
  const loaded = await registry.loadFile(file);
  if (!loaded.ok) throw new Error(`the bench registry was refused: ${JSON.stringify(loaded.problems)}`);
  return registry;
}

/** What an open console asks for while jobs run: live updates refetch every half second at most. */
function startConsole(ctx: ApiContext): { stop(): Promise<{ reads: number; slowestMs: number }> } {
  let running = true;
  let reads = 0;
  let slowestMs = 0;
  const read = async (call: string, input: unknown) => {
    const t0 = performance.now();
    const answer = await dispatch(call, input, ctx);
    if (!answer.ok) throw new Error(`${call}: ${answer.error.message}`);
    slowestMs = Math.max(slowestMs, performance.now() - t0);
    reads++;
  };
  const loop = (async () => {
    let round = 0;
    while (running) {
      await read('overview.stats', {});
      await read('jobs.list', { filter: {}, limit: 100 });
      if (round % 4 === 0) {
        await read('dlq.groups', {});
        await read('overview.series', { window: '1h' });
      }
      round++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { reads, slowestMs };
    },
  };
}

async function runJobs(store: Store, registry: RegistryHolder, jobs: number, log: (line: string) => void): Promise<number> {
  for (let i = 0; i < jobs; i += 1000) {
    await store.enqueue(Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ queue: QUEUE, service_name: 'bench_noop', execution_type: 'noop' as const, max_attempts: 1, payload: { i: i + j } })));
  }
  const engine = new Engine({ store, registry, env: process.env, concurrency: 16, queues: [QUEUE], log: lineLogger(log, 'info'), maintenance: false });
  const t0 = performance.now();
  await engine.start();
  await engine.runUntilEmpty();
  const ms = performance.now() - t0;
  await engine.stop({ graceMs: 0 });
  return Math.round(jobs / (ms / 1000));
}

export async function measureConsoleLoad(opts: { store: Store; dir: string; jobs: number; pairs: number; log: (line: string) => void }): Promise<ConsoleLoadPair[]> {
  const registry = await benchRegistry(opts.dir);
  const ctx: ApiContext = { store: opts.store, registry, engine: null, actor: { user: 'bench', host: 'bench' }, env: {}, settings: { localExecution: true }, words: CONSOLE_WORDS };
  const pairs: ConsoleLoadPair[] = [];
  // One run first that is not counted: the first pass over a store warms its cache for both sides.
  await runJobs(opts.store, registry, Math.min(opts.jobs, 20_000), opts.log);
  for (let p = 0; p < opts.pairs; p++) {
    const alone = await runJobs(opts.store, registry, opts.jobs, opts.log);
    const console = startConsole(ctx);
    const withConsole = await runJobs(opts.store, registry, opts.jobs, opts.log);
    const seen = await console.stop();
    pairs.push({ alone_per_s: alone, with_console_per_s: withConsole, ratio: Math.round((withConsole / alone) * 1000) / 1000, console_reads: seen.reads, slowest_read_ms: Math.round(seen.slowestMs * 10) / 10 });
  }
  return pairs;
}
