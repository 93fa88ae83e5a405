import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimFromJson, idsOf } from './rows.ts';

// id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id
const row = [7, 'svc-1', 'default', 'svc', 'shell', { a: [1, 'two'] }, 3, 2, 4, 99];
const withField = (at: number, value: unknown) => row.map((v, i) => (i === at ? value : v));
const lease = '2030-01-01T00:00:00.000Z';

test("the claim function's jobs become claimed jobs sharing the batch's lease, in order", () => {
  const jobs = [row, withField(0, 8).map((v, i) => (i === 5 ? null : v))];
  // Interruptions beside the jobs, only those above zero: a store not yet migrated to 0044 sends none.
  const claim = claimFromJson(JSON.stringify({ lease_id: 5, lease_expires_at: lease, jobs, interruptions: { 7: 1 } }));
  assert.equal(claim.leaseId, 5);
  assert.deepEqual(claim.jobs, [
    { id: 7, identifier: 'svc-1', queue: 'default', service_name: 'svc', execution_type: 'shell', payload: { a: [1, 'two'] }, priority: 3, attempt: 2, max_attempts: 4, attempt_id: 99, lease_expires_at: lease, interruptions: 1 },
    { id: 8, identifier: 'svc-1', queue: 'default', service_name: 'svc', execution_type: 'shell', payload: null, priority: 3, attempt: 2, max_attempts: 4, attempt_id: 99, lease_expires_at: lease, interruptions: 0 },
  ]);
  assert.deepEqual(claimFromJson('{"jobs": []}'), { leaseId: null, jobs: [] });
  for (const interruptions of [null, undefined]) {
    assert.deepEqual(claimFromJson(JSON.stringify({ lease_id: 5, lease_expires_at: lease, jobs: [row], interruptions })).jobs.map((j) => j.interruptions), [0]);
  }
});

test('a claim result of another shape is refused, naming what is wrong', () => {
  const refused = (value: unknown, problem: RegExp) => assert.throws(() => claimFromJson(JSON.stringify(value)), problem);
  refused({}, /no jobs array/);
  refused({ lease_id: 5, jobs: [row] }, /lease_expires_at is not a string/);
  refused({ lease_expires_at: lease, jobs: [row] }, /lease_id is not a number/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [{ id: 7 }] }, /job 0 is not an array of 10 fields/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [row.slice(0, 9)] }, /job 0 is not an array of 10 fields/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [row, withField(9, '99')] }, /job 1: attempt_id is not a number/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [withField(1, null)] }, /job 0: identifier is not a string/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [withField(4, 'Shell')] }, /job 0: unknown execution_type "Shell"/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [row], interruptions: [1] }, /interruptions is not an object/);
  refused({ lease_id: 5, lease_expires_at: lease, jobs: [row], interruptions: { 7: '1' } }, /job 7: its interruptions are not a number/);
  assert.throws(() => claimFromJson('not json'), SyntaxError);
});

test('ids are read from their rows, and a row without a numeric id is refused', () => {
  assert.deepEqual(idsOf([{ id: 3 }, { id: 1 }]), [3, 1]);
  assert.throws(() => idsOf([{ id: 3 }, { id: '4' }]), /numeric id, got "4"/);
  assert.throws(() => idsOf([{}]), /numeric id, got none/);
});
