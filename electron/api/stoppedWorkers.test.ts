import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerInfo } from '../../shared/domain.ts';
import { stoppedWorkers } from './stoppedWorkers.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function worker(id: string, over: Partial<WorkerInfo>): WorkerInfo {
  return {
    id, name: 'watchdog', host: 'a', pid: 1, version: 'test', started_at: '2026-03-01T10:00:00.000Z', concurrency: 10, queues: null, services: null,
    in_flight: 0, state: 'running', last_heartbeat_at: '2026-03-01T11:59:58.000Z', memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: false, ...over,
  };
}

/** Stopped at 11:00 on host a, after starting at 10:00. */
const old = worker('watchdog-old', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' });

describe('stopped workers as worker:NAME finds them', () => {
  it('each fails, saying when it stopped, how long ago, and the command line that starts it again as it ran', () => {
    const quoted = worker('w-1', { name: null, host: 'b', pid: 7, state: 'stopped', last_heartbeat_at: '2026-03-01T11:55:00.000Z', queues: ['a', 'b'], concurrency: 4, registry: { digest: 'x', path: "/srv/it's/registry.yaml", loaded_at: '2026-03-01T10:00:00.000Z' } });
    const [found] = stoppedWorkers([quoted, worker('w-2', {})], NOW);
    assert.deepEqual(found, {
      name: null,
      check: {
        name: 'worker:w-1',
        ok: false,
        detail: "stopped at 2026-03-01T11:55:00.000Z (its last heartbeat, 5m ago; b, pid 7): start it again on b with opsdeck worker --queues a,b --concurrency 4 --registry '/srv/it'\\''s/registry.yaml'",
      },
    });
  });

  it('a worker of its name started since it stopped replaced it: found by its id only', () => {
    const restarted = worker('watchdog-new', { host: 'b', started_at: '2026-03-01T11:00:05.000Z' });
    assert.deepEqual(stoppedWorkers([old, restarted], NOW).map((s) => s.name), [null]);
  });

  it('one started on its host while it still ran replaced it too; one on another host did not: two of a name stay two', () => {
    const sameHost = worker('watchdog-same', { host: 'a', started_at: '2026-03-01T10:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, sameHost], NOW).map((s) => s.name), [null]);
    const otherHost = worker('watchdog-b', { host: 'b', started_at: '2026-03-01T10:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, otherHost], NOW).map((s) => s.name), ['watchdog']);
    const otherName = worker('etl-1', { name: 'etl', host: 'a', started_at: '2026-03-01T11:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, otherName], NOW).map((s) => s.name), ['watchdog']);
  });
});
