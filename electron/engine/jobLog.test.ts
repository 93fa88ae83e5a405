import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineLogger } from '../log/logger.ts';
import type { ClaimedJob, Settlement } from '../store/store.ts';
import { JobLog } from './jobLog.ts';

const job: ClaimedJob = {
  id: 42,
  identifier: 'nightly-42',
  queue: 'reports',
  service_name: 'nightly_report',
  execution_type: 'shell',
  payload: { token: 'never-logged' },
  priority: 0,
  attempt: 2,
  max_attempts: 3,
  attempt_id: 7,
  lease_expires_at: '2026-12-04T00:00:30.000Z',
  interruptions: 0,
};
const key = { jobId: 42, attemptId: 7, workerId: 'w' };
const error = { message: 'exit code 3', error_class: 'exit_code', fingerprint: 'f00' };

function logged(level: 'debug' | 'info', act: (log: JobLog) => void): string[] {
  const lines: string[] = [];
  act(new JobLog(lineLogger((line) => lines.push(line), level)));
  return lines;
}

describe('each job\'s life in the log', () => {
  it('a claim and a completion are debug lines with the job\'s id, identifier, service and attempt; the payload never', () => {
    const lines = logged('debug', (log) => {
      log.claimed([job]);
      log.settled({ ...key, kind: 'completed' }, job, 120);
    });
    assert.deepEqual(lines, [
      'debug job claimed job_id=42 identifier=nightly-42 service=nightly_report attempt=2 max_attempts=3 queue=reports priority=0',
      'debug job completed job_id=42 identifier=nightly-42 service=nightly_report attempt=2 max_attempts=3 duration_ms=120',
    ]);
    assert.ok(!lines.join('\n').includes('never-logged'));
  });

  it('a failed attempt that will be retried is a warn line with the error class and message; a dead letter an error line', () => {
    const retry: Settlement = { ...key, kind: 'retry', error, outcome: 'failed', run_at: '2026-12-04T00:01:00.000Z' };
    const dead: Settlement = { ...key, kind: 'failed', error, outcome: 'timed_out' };
    const lines = logged('info', (log) => {
      log.settled(retry, job, 80);
      log.settled(dead, job, null);
    });
    assert.deepEqual(lines, [
      'warn attempt failed; the job will be retried job_id=42 identifier=nightly-42 service=nightly_report attempt=2 max_attempts=3 error_class=exit_code error="exit code 3" outcome=failed retry_at=2026-12-04T00:01:00.000Z duration_ms=80',
      'error job failed: moved to the dead-letter queue job_id=42 identifier=nightly-42 service=nightly_report attempt=2 max_attempts=3 error_class=exit_code error="exit code 3" outcome=timed_out fingerprint=f00',
    ]);
  });

  it('at info, claims, completions and hand-backs say nothing; a cancellation and a result that did not land do', () => {
    const lines = logged('info', (log) => {
      log.claimed([job]);
      log.settled({ ...key, kind: 'completed' }, job, 1);
      log.settled({ ...key, kind: 'interrupted', reason: 'emergency stop', ran: true }, job, null);
      log.settled({ ...key, kind: 'cancelled', reason: 'cancelled by an operator', ran: true }, job, 5);
      log.notRecorded({ ...key, kind: 'completed' });
    });
    assert.deepEqual(lines, [
      'info job cancelled while it ran job_id=42 identifier=nightly-42 service=nightly_report attempt=2 max_attempts=3 reason="cancelled by an operator"',
      "warn a result was not recorded: the job is no longer this worker's job_id=42 result=completed",
    ]);
  });
});
