import { performance } from 'node:perf_hooks';
import type { Actor } from '../shared/domain.ts';
import { openStore } from '../electron/store/open.ts';
import type { ClaimRequest, NewJob, Store } from '../electron/store/store.ts';

/**
 * `npm run bench -- left-out`: claims beside a backlog they may not take. In an incident a service's
 * breaker opens or an operator pauses a queue while its jobs keep arriving; every other job must still be
 * claimed as fast as before. For each way a job is left out, N such jobs sit ahead of 1 000 takeable
 * ones in dispatch order, and claims of 16 are timed (each one's jobs handed back before the next, so
 * every claim sees the same queue). The last case is an idle worker's poll beside N retries in backoff,
 * due tomorrow: nothing to take, and nothing it should have to read.
 */

const ACTOR: Actor = { user: 'bench', host: 'bench' };
const CLAIMS = 20;
const CHUNK = 5000;

interface Case {
  why: string;
  ahead: NewJob;
  paused?: string;
  request: Partial<ClaimRequest>;
  /** Due jobs a claim may take, behind the ones it leaves out. */
  takeable: number;
}

const older = () => new Date(Date.now() - 3_600_000).toISOString();
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
const noop = (service: string, extra: Partial<NewJob> = {}): NewJob => ({ queue: 'default', service_name: service, execution_type: 'noop', max_attempts: 3, ...extra });

const CASES: Case[] = [
  { why: 'breaker open', ahead: noop('flaky', { run_at: older() }), request: { excludeServices: ['flaky'] }, takeable: 1000 },
  { why: 'service capped', ahead: noop('flaky', { run_at: older() }), request: { serviceCaps: { flaky: 0 } }, takeable: 1000 },
  { why: 'queue paused', ahead: noop('flaky', { queue: 'held', priority: 9 }), paused: 'held', request: {}, takeable: 1000 },
  { why: 'queue served elsewhere', ahead: noop('flaky', { queue: 'other', priority: 9 }), request: { queues: ['default'] }, takeable: 1000 },
  { why: 'idle, retries due tomorrow', ahead: noop('flaky', { run_at: tomorrow() }), request: {}, takeable: 0 },
];

export interface LeftOutTiming {
  store: 'sqlite' | 'postgres';
  why: string;
  left_out: number;
  claims: number;
  p50_ms: number;
  p95_ms: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function fill(store: Store, ahead: NewJob, n: number, takeable: number): Promise<void> {
  for (let i = 0; i < n; i += CHUNK) await store.enqueue(Array.from({ length: Math.min(CHUNK, n - i) }, () => ({ ...ahead })));
  if (takeable > 0) await store.enqueue(Array.from({ length: takeable }, () => noop('healthy')));
}

/** One store per case at `place()`, removed after it. */
export async function timeLeftOut(opts: {
  place: () => Promise<{ location: string; remove(): Promise<void> }>;
  leftOut: number;
  log: (line: string) => void;
}): Promise<LeftOutTiming[]> {
  const out: LeftOutTiming[] = [];
  for (const c of CASES) {
    const place = await opts.place();
    const store = await openStore(place.location);
    try {
      opts.log(`${c.why}: filling ${opts.leftOut} jobs`);
      await fill(store, c.ahead, opts.leftOut, c.takeable);
      if (c.paused) await store.setQueuePaused(c.paused, true, ACTOR, 'bench');
      const ms: number[] = [];
      for (let i = 0; i < CLAIMS; i++) {
        const t0 = performance.now();
        const claimed = await store.claim({ workerId: 'bench', limit: 16, leaseMs: 60_000, ...c.request });
        ms.push(performance.now() - t0);
        const expected = Math.min(16, c.takeable);
        if (claimed.length !== expected || claimed.some((j) => j.service_name !== 'healthy')) {
          throw new Error(`${c.why}: a claim took ${claimed.map((j) => j.service_name).join(', ') || 'nothing'}, not ${expected} healthy jobs`);
        }
        if (claimed.length > 0) await store.settle(claimed.map((j) => ({ jobId: j.id, attemptId: j.attempt_id, workerId: 'bench', kind: 'interrupted', reason: 'bench', ran: false })));
      }
      const sorted = ms.sort((a, b) => a - b);
      const round = (x: number) => Math.round(x * 100) / 100;
      out.push({ store: store.dialect, why: c.why, left_out: opts.leftOut, claims: CLAIMS, p50_ms: round(quantile(sorted, 0.5)), p95_ms: round(quantile(sorted, 0.95)) });
    } finally {
      await store.close();
      await place.remove();
    }
  }
  return out;
}
