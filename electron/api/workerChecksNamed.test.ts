import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthReport } from '../../shared/contract.ts';
import type { WorkerInfo } from '../../shared/domain.ts';
import { checksNamed } from './handlers/health.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';
import { stoppedWorkers } from './stoppedWorkers.ts';

const NOW = Date.now();

function worker(id: string, over: Partial<WorkerInfo>): WorkerInfo {
  const at = new Date(NOW - 60_000).toISOString();
  return {
    id, name: 'etl', host: 'a', pid: 1, version: 'test', started_at: at, concurrency: 4, queues: null, services: null,
    in_flight: 0, state: 'running', last_heartbeat_at: new Date(NOW).toISOString(), memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: false, ...over,
  };
}

/** The whole report, made before the worker stopped: it checked the worker as running. */
const report: HealthReport = { ok: true, checks: [{ name: 'store', ok: true, detail: 'sqlite store answers' }, { name: 'worker:etl-1', ok: true, detail: 'running, 0 in flight, heartbeat 1s ago' }] };

describe('worker:NAME of a worker that stopped between the report and the read of the workers', () => {
  it('is one check, the stopped one: the newer read of the two', () => {
    const fleet = [worker('etl-1', { state: 'stopped' })];
    const roster = { names: new Map(fleet.map((w) => [w.id, w.name])), stopped: stoppedWorkers(fleet, NOW, { db: '/srv/opsdeck.db', hostHidden: undefined }) };
    const chosen = checksNamed(report, 'worker:etl', CONSOLE_WORDS, roster);
    assert.ok('report' in chosen);
    assert.deepEqual(chosen.report.checks.map((c) => [c.name, c.ok]), [['worker:etl-1', false]]);
    assert.match(chosen.report.checks[0]?.detail ?? '', /^stopped at /);
    assert.equal(chosen.report.ok, false);
    const byId = checksNamed(report, 'worker:etl-1', CONSOLE_WORDS, roster);
    assert.ok('report' in byId);
    assert.deepEqual(byId.report.checks.map((c) => [c.name, c.ok]), [['worker:etl-1', false]], 'by its id too');
  });

  it('and once a worker started in its place took its name, neither its check nor its stale one is there', () => {
    const fleet = [worker('etl-1', { state: 'stopped' }), worker('etl-2', { started_at: new Date(NOW).toISOString() })];
    const roster = { names: new Map(fleet.map((w) => [w.id, w.name])), stopped: stoppedWorkers(fleet, NOW, { db: '/srv/opsdeck.db', hostHidden: undefined }) };
    const withNew: HealthReport = { ok: true, checks: [...report.checks, { name: 'worker:etl-2', ok: true, detail: 'running, 0 in flight, heartbeat 0s ago' }] };
    const chosen = checksNamed(withNew, 'worker:ETL', CONSOLE_WORDS, roster);
    assert.ok('report' in chosen);
    assert.deepEqual(chosen.report.checks.map((c) => [c.name, c.ok]), [['worker:etl-2', true]]);
  });
});
