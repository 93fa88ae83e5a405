import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RegistryHolder } from '../electron/config/holder.ts';
import { Engine } from '../electron/engine/engine.ts';
import { createRunners } from '../electron/runners/registry.ts';
import type { Runner } from '../electron/runners/runner.ts';
import { openStore } from '../electron/store/open.ts';
import { lineLogger } from '../electron/log/logger.ts';

/**
 * `npm run bench -- latency`: how soon an idle worker starts a single job someone else enqueued. A worker
 * waits on an empty queue; another connection to the store (as `opsdeck enqueue` or the API would be)
 * enqueues one job every `gapMs`, and the time from that enqueue's return to the runner starting is taken.
 */

export interface LatencyResult {
  store: 'sqlite' | 'postgres';
  jobs: number;
  gap_ms: number;
  start_ms: number[];
  median_ms: number;
  max_ms: number;
}

export async function measureLatency(opts: { location: string; dir: string; jobs: number; gapMs: number; log: (line: string) => void }): Promise<LatencyResult> {
  const file = path.join(opts.dir, 'registry.yaml');
  await writeFile(file, JSON.stringify({ services: [{ name: 'ping', execution_type: 'noop', runner_config: { sleep_ms: 0 } }] }));
  const registry = new RegistryHolder(process.env);
  const loaded = await registry.loadFile(file);
  if (!loaded.ok) throw new Error(`the bench registry was refused: ${JSON.stringify(loaded.problems)}`);
  const workerStore = await openStore(opts.location);
  const clientStore = await openStore(opts.location);
  const runners = createRunners();
  const noop = runners.get('noop');
  if (!noop) throw new Error('no noop runner');
  let started: ((at: number) => void) | null = null;
  const timed: Runner = { kind: 'noop', run: (request) => (started?.(performance.now()), noop.run(request)), probe: (s, e, c) => noop.probe(s, e, c) };
  runners.set('noop', timed);
  const engine = new Engine({ store: workerStore, registry, runners, env: process.env, concurrency: 4, log: lineLogger(opts.log, 'info'), maintenance: false });
  const startMs: number[] = [];
  try {
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, opts.gapMs));
    for (let i = 0; i < opts.jobs; i++) {
      const ran = new Promise<number>((resolve) => (started = resolve));
      await clientStore.enqueue([{ queue: 'default', service_name: 'ping', execution_type: 'noop', max_attempts: 1, payload: { i } }]);
      const enqueued = performance.now();
      startMs.push(Math.round(((await ran) - enqueued) * 10) / 10);
      await new Promise((resolve) => setTimeout(resolve, opts.gapMs));
    }
  } finally {
    await engine.stop({ graceMs: 1000 });
    await clientStore.close();
    await workerStore.close();
  }
  const sorted = [...startMs].sort((a, b) => a - b);
  return {
    store: workerStore.dialect,
    jobs: opts.jobs,
    gap_ms: opts.gapMs,
    start_ms: startMs,
    median_ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    max_ms: sorted.at(-1) ?? 0,
  };
}
