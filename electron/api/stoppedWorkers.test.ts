import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerInfo } from '../../shared/domain.ts';
import { stoppedWorkers } from './stoppedWorkers.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/** The store this process reads the workers from, as Store.location gives it: its password already [redacted]. */
const HERE = { db: 'postgres://ops:[redacted]@db.internal:5432/jobs?sslmode=require&password=[redacted]', hostHidden: undefined };

function worker(id: string, over: Partial<WorkerInfo>): WorkerInfo {
  return {
    id, name: 'watchdog', host: 'a', pid: 1, version: 'test', started_at: '2026-03-01T10:00:00.000Z', concurrency: 10, queues: null, services: null,
    in_flight: 0, state: 'running', last_heartbeat_at: '2026-03-01T11:59:58.000Z', memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: false, ...over,
  };
}

/** Stopped at 11:00 on host a, after starting at 10:00. */
const old = worker('watchdog-old', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' });

describe('stopped workers as worker:NAME finds them', () => {
  it('each fails, saying when it stopped, how long ago, and the command line that starts it again as it ran, on this store without its passwords', () => {
    const quoted = worker('w-1', { name: null, host: 'b', pid: 7, state: 'stopped', last_heartbeat_at: '2026-03-01T11:55:00.000Z', queues: ['a', 'b'], concurrency: 4, registry: { digest: 'x', path: "/srv/it's/registry.yaml", loaded_at: '2026-03-01T10:00:00.000Z' } });
    const [found] = stoppedWorkers([quoted, worker('w-2', {})], NOW, HERE);
    assert.deepEqual(found, {
      name: null,
      check: {
        name: 'worker:w-1',
        ok: false,
        detail: "stopped at 2026-03-01T11:55:00.000Z (its last heartbeat, 5m ago; b, pid 7): start it again on b with opsdeck worker --queues=a,b --concurrency=4 --db='postgres://ops@db.internal:5432/jobs?sslmode=require' --registry='/srv/it'\\''s/registry.yaml'",
      },
    });
  });

  it('a worker of its name started since it stopped replaced it: found by its id only', () => {
    const restarted = worker('watchdog-new', { host: 'b', started_at: '2026-03-01T11:00:05.000Z' });
    assert.deepEqual(stoppedWorkers([old, restarted], NOW, HERE).map((s) => s.name), [null]);
  });

  it('one started on its host while it still ran replaced it too; one on another host that ran beside it for long did not: two of a name stay two', () => {
    const sameHost = worker('watchdog-same', { host: 'a', started_at: '2026-03-01T10:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, sameHost], NOW, HERE).map((s) => s.name), [null]);
    const otherHost = worker('watchdog-b', { host: 'b', started_at: '2026-03-01T10:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, otherHost], NOW, HERE).map((s) => s.name), ['watchdog']);
    const otherName = worker('etl-1', { name: 'etl', host: 'a', started_at: '2026-03-01T11:30:00.000Z' });
    assert.deepEqual(stoppedWorkers([old, otherName], NOW, HERE).map((s) => s.name), ['watchdog']);
  });

  describe('several workers of one name across hosts: each stopped one pairs with at most one worker started in its place', () => {
    /** Three workers etl on hosts a, b and c, started at 10:00. */
    const etl = (host: string, over: Partial<WorkerInfo>) => worker(`etl-${host}${over.started_at === undefined ? '' : '-new'}`, { name: 'etl', host, ...over });
    const names = (fleet: WorkerInfo[], now = NOW) => stoppedWorkers(fleet, now, HERE).map((s) => [s.check.name, s.name]);

    it('a rolling deploy that brought back b and c only leaves a stopped under the name', () => {
      const fleet = [
        etl('a', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' }),
        etl('b', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:01:00.000Z' }),
        etl('c', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:02:00.000Z' }),
        etl('b', { started_at: '2026-03-01T11:01:30.000Z' }),
        etl('c', { started_at: '2026-03-01T11:02:30.000Z' }),
      ];
      assert.deepEqual(names(fleet), [['worker:etl-a', 'etl'], ['worker:etl-b', null], ['worker:etl-c', null]]);
    });

    it('one restart replaces one stopped worker, on its own host first, whatever the order they stopped in', () => {
      const fleet = [
        etl('a', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' }),
        etl('b', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:05:00.000Z' }),
        etl('b', { started_at: '2026-03-01T11:06:00.000Z' }),
      ];
      assert.deepEqual(names(fleet), [['worker:etl-a', 'etl'], ['worker:etl-b', null]], 'the one on b is b\'s restart, not a\'s');
      const moved = [...fleet, etl('d', { started_at: '2026-03-01T11:07:00.000Z' })];
      assert.deepEqual(names(moved), [['worker:etl-a', null], ['worker:etl-b', null]], 'a worker started on d since takes a\'s place');
    });

    it('a worker moved to a new host, the new one started a few minutes before the old one stopped, replaced it', () => {
      const fleet = [etl('a', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' }), etl('d', { started_at: '2026-03-01T10:55:00.000Z' })];
      assert.deepEqual(names(fleet), [['worker:etl-a', null]]);
    });

    it('a worker restarted, and its restart restarted, leaves the name to the last: a chain of restarts is one worker', () => {
      const fleet = [
        etl('a', { state: 'stopped', last_heartbeat_at: '2026-03-01T10:30:00.000Z' }),
        worker('etl-a-2', { name: 'etl', host: 'a', started_at: '2026-03-01T10:31:00.000Z', state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' }),
        worker('etl-a-3', { name: 'etl', host: 'a', started_at: '2026-03-01T11:01:00.000Z' }),
      ];
      assert.deepEqual(names(fleet), [['worker:etl-a', null], ['worker:etl-a-2', null]]);
      const stoppedToo = fleet.map((w) => (w.id === 'etl-a-3' ? { ...w, state: 'stopped' as const, last_heartbeat_at: '2026-03-01T11:30:00.000Z' } : w));
      assert.deepEqual(names(stoppedToo), [['worker:etl-a', null], ['worker:etl-a-2', null], ['worker:etl-a-3', 'etl']], 'the last one stopped is the one the name finds');
    });

    it('a replacement lost for over a day, which the report leaves out, replaced nothing: the stopped worker keeps its name', () => {
      const fleet = [
        etl('a', { state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z' }),
        etl('a', { started_at: '2026-03-01T11:01:00.000Z', lost: true, last_heartbeat_at: '2026-03-01T11:30:00.000Z' }),
      ];
      assert.deepEqual(names(fleet), [['worker:etl-a', null]], 'lost for half an hour, it is in the report: it took the name');
      assert.deepEqual(names(fleet, Date.parse('2026-03-02T12:00:00Z')), [['worker:etl-a', 'etl']]);
    });
  });
});
