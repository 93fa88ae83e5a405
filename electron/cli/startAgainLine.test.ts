import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { WorkerInfo } from '../../shared/domain.ts';
import { stoppedWorkers } from '../api/stoppedWorkers.ts';
import { parseCommandArgs } from './args.ts';
import { worker as workerCommand } from './commands/worker.ts';
import { setDisplayZone, timesIn } from './output.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const HERE = { db: '/var/lib/opsdeck/2026-01-05T09:00:00Z/opsdeck.db', hostHidden: undefined };

function stopped(over: Partial<WorkerInfo>): WorkerInfo {
  return {
    id: 'etl-1', name: 'etl', host: 'a', pid: 1, version: 'test', started_at: '2026-03-01T10:00:00.000Z', concurrency: 4, queues: null, services: null,
    in_flight: 0, state: 'stopped', last_heartbeat_at: '2026-03-01T11:00:00.000Z', memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: false, ...over,
  };
}

/** The words a POSIX shell reads `line` as: the line pasted into a terminal. */
function shellWords(line: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

/** The command line a stopped worker's check ends with, read back by a shell and by `opsdeck worker`'s own options. */
function readBack(detail: string) {
  const line = detail.slice(detail.indexOf('opsdeck worker'));
  const [program, command, ...argv] = shellWords(line);
  assert.deepEqual([program, command], ['opsdeck', 'worker'], line);
  return parseCommandArgs(argv, workerCommand.options, {});
}

describe("a stopped worker's command line, pasted into a shell, starts opsdeck worker as it ran", () => {
  it('a queue whose name starts with a dash stays the value of --queues', () => {
    const [found] = stoppedWorkers([stopped({ queues: ['-urgent', 'b'] })], NOW, HERE);
    const typed = readBack(found?.check.detail ?? '');
    assert.deepEqual([typed.values.name, typed.values.queues, typed.values.concurrency], ['etl', '-urgent,b', '4']);
  });

  it('a registry path holding a time is the same path once health-check writes the times of its detail in the reader\'s zone', () => {
    const path = '/srv/releases/2026-12-07T20:00:00Z/registry.yaml';
    const [found] = stoppedWorkers([stopped({ registry: { digest: 'x', path, loaded_at: '2026-03-01T10:00:00.000Z' } })], NOW, HERE);
    setDisplayZone('Europe/Berlin');
    try {
      const shown = timesIn(found?.check.detail ?? '');
      assert.match(shown, /^stopped at 2026-03-01 12:00:00\+01:00 /, 'the time it stopped is the reader\'s');
      const typed = readBack(shown);
    assert.deepEqual([typed.common.registry, typed.common.db], [path, HERE.db], 'the store it ran on too');
    } finally {
      setDisplayZone(undefined);
    }
  });
});
