import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStore } from '../electron/store/open.ts';
import type { Store } from '../electron/store/store.ts';

/**
 * `npm run bench -- soak`: a real `opsdeck worker` process through a long run, N jobs fed in as it goes
 * (the backlog kept between one and two chunks), sampled every tenth of the run: throughput over that
 * tenth and the worker's resident memory (Linux: /proc). The worker is started as an operator starts it,
 * with no Node flags of ours: the launcher gives V8's young generation its size (bin/opsdeck.js), and
 * the result names the flags the worker ran with. A worker that leaks, or slows as its store fills,
 * shows it here.
 */

const CHUNK = 25_000;
const BIN = fileURLToPath(new URL('../bin/opsdeck.js', import.meta.url));

export interface SoakSample {
  done: number;
  per_s: number;
  rss_mb: number;
}

export interface SoakResult {
  store: 'sqlite' | 'postgres';
  jobs: number;
  /** The Node flags the worker process ran with, read from its command line. */
  node_flags: string[];
  samples: SoakSample[];
  rss_peak_mb: number;
  /** After the first tenth (warm-up): the worker's largest and smallest resident memory, in MB. */
  rss_after_warmup_max_mb: number;
  rss_after_warmup_min_mb: number;
  /** The second tenth and the last full tenth (the first warms up, the last drains a shrinking backlog). */
  early_per_s: number;
  late_per_s: number;
  /** late_per_s / early_per_s. */
  ratio: number;
}

function nodeFlags(pid: number): string[] {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return argv.slice(1, argv.indexOf(BIN));
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : 0;
}

async function finished(store: Store): Promise<number> {
  return (await store.countsByQueueAndStatus()).filter((c) => c.status === 'completed').reduce((n, c) => n + c.count, 0);
}

export async function soak(opts: { location: string; dir: string; jobs: number; log: (line: string) => void }): Promise<SoakResult> {
  const registry = path.join(opts.dir, 'soak-registry.yaml');
  await writeFile(registry, JSON.stringify({ services: [{ name: 'soak', execution_type: 'noop', runner_config: { sleep_ms: 0 } }] }));
  const store = await openStore(opts.location);
  let fed = 0;
  const feed = async () => {
    const n = Math.min(CHUNK, opts.jobs - fed);
    if (n <= 0) return;
    await store.enqueue(Array.from({ length: n }, (_, i) => ({ queue: 'default', service_name: 'soak', execution_type: 'noop' as const, max_attempts: 1, payload: { i: fed + i } })));
    fed += n;
  };
  await feed();
  await feed();
  const worker = spawn(process.execPath, [BIN, 'worker', '--db', opts.location, '--registry', registry, '--concurrency', '16'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  worker.stderr.setEncoding('utf8').on('data', (text: string) => opts.log(text.trimEnd()));
  const exited = new Promise<void>((resolve) => worker.on('exit', () => resolve()));
  const samples: SoakSample[] = [];
  let flags: string[] | null = null;
  try {
    const pid = worker.pid;
    if (pid === undefined) throw new Error('the worker did not start');
    const step = Math.max(1, Math.floor(opts.jobs / 10));
    let nextSample = step;
    let doneAtLast = 0;
    let t0 = performance.now();
    let peak = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      flags ??= nodeFlags(pid);
      peak = Math.max(peak, rssMb(pid));
      const done = await finished(store);
      if (fed - done < CHUNK && fed < opts.jobs) await feed();
      if (done >= nextSample || done >= opts.jobs) {
        const now = performance.now();
        samples.push({ done, per_s: Math.round((done - doneAtLast) / ((now - t0) / 1000)), rss_mb: peak });
        opts.log(`${done} done, ${samples.at(-1)?.per_s} jobs/s, worker rss ${peak} MB`);
        peak = 0;
        doneAtLast = done;
        t0 = now;
        nextSample = done + step;
        if (done >= opts.jobs) break;
      }
    }
  } finally {
    worker.kill('SIGTERM');
    await exited;
    await store.close();
  }
  const afterWarmup = samples.slice(1).map((s) => s.rss_mb);
  const early = samples[1]?.per_s ?? samples[0]?.per_s ?? 0;
  const late = samples.at(-2)?.per_s ?? early;
  return {
    store: store.dialect,
    jobs: opts.jobs,
    node_flags: flags ?? [],
    samples,
    rss_peak_mb: Math.max(...samples.map((s) => s.rss_mb)),
    rss_after_warmup_max_mb: afterWarmup.length ? Math.max(...afterWarmup) : 0,
    rss_after_warmup_min_mb: afterWarmup.length ? Math.min(...afterWarmup) : 0,
    early_per_s: early,
    late_per_s: late,
    ratio: early === 0 ? 0 : Math.round((late / early) * 1000) / 1000,
  };
}
