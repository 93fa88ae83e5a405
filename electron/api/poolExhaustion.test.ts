import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthCheck, WorkerInfo, WorkerPool } from '../../shared/domain.ts';
import { exhaustedPools, withExhaustedPools } from './poolExhaustion.ts';

const at = new Date().toISOString();
const exhausted: WorkerPool = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 1204 };
const calm: WorkerPool = { max: 8, peak_in_use: 5, peak_waiting: 0, longest_wait_ms: 2 };

function worker(id: string, pool: WorkerPool | null, over: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    id, name: null, host: 'h', pid: 1, version: '0.1.0', started_at: at, concurrency: 6, queues: null, services: null, in_flight: 0, state: 'running',
    last_heartbeat_at: at, memory: null, cpu_percent: null, pool, registry: null, cannot_run: null, lost: false, ...over,
  };
}

const storeOk: HealthCheck = { name: 'store', ok: true, detail: "postgres at postgres://db/ops; this command's own pool: 1 of 8 connections in use, 0 callers waiting" };

describe("the workers' exhausted pools, laid over the store check", () => {
  it('names a live worker whose callers waited, with the longest wait and what to do', () => {
    const [line, ...rest] = exhaustedPools([worker('w-busy', exhausted), worker('w-calm', calm), worker('w-sqlite', null)]);
    assert.deepEqual(rest, [], 'a calm pool, and no pool at all, are not named');
    assert.equal(
      line,
      "worker w-busy's pool was exhausted between its last two heartbeats: at most 2 of 2 connections in use at once, up to 3 callers waiting at once, the longest for 1.20 s; " +
        "restart it with a larger OPSDECK_PG_POOL_MAX (2 now; every process's pool counts against the server's connections) or a lower --concurrency (6 now), " +
        'unless its statements wait on locks held elsewhere (a long transaction? pg_stat_activity shows them waiting on Lock), where a larger pool only holds more connections stuck behind them',
    );
  });

  it("callers queued a millisecond behind a tick's burst of reads are no exhaustion", () => {
    assert.deepEqual(exhaustedPools([worker('w-burst', { max: 8, peak_in_use: 8, peak_waiting: 3, longest_wait_ms: 1.4 })]), []);
  });

  it("a lost or stopped worker's last figures are no exhaustion of now", () => {
    assert.deepEqual(exhaustedPools([worker('w-lost', exhausted, { lost: true }), worker('w-stopped', exhausted, { state: 'stopped' })]), []);
  });

  it('warns, keeping the check\'s own words first; a failing check stays failing', () => {
    const warned = withExhaustedPools(storeOk, [worker('w-busy', exhausted), worker('w-also', { ...exhausted, peak_waiting: 1 })]);
    assert.equal(warned.ok, true);
    assert.equal(warned.warning, true);
    assert.ok(warned.detail.startsWith(`${storeOk.detail}; worker w-busy's pool was exhausted`), warned.detail);
    assert.match(warned.detail, /; worker w-also's pool was exhausted .* up to 1 caller waiting at once/);
    assert.deepEqual(withExhaustedPools(storeOk, [worker('w-calm', calm)]), storeOk, 'nothing to say, nothing changed');
    const failing = withExhaustedPools({ ...storeOk, ok: false }, [worker('w-busy', exhausted)]);
    assert.deepEqual([failing.ok, failing.warning], [false, undefined]);
  });
});
