import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditDetails } from './auditDetails.ts';

test('details read as key=value, strings bare, structures as JSON, empty values left out', () => {
  assert.equal(auditDetails({ note: 'fixed by hand', selector: { fingerprint: 'fp' }, reason: null, count: 3, gone: undefined }), 'note=fixed by hand selector={"fingerprint":"fp"} count=3');
  assert.equal(auditDetails(null), '');
  assert.equal(auditDetails({}), '');
});

test('a count in the details reads with its thousands separated, as the rest of the console writes them; ids in a list stay as they are', () => {
  assert.equal(auditDetails({ pending_held: 20_000, running_asked_to_stop: 500 }), 'pending_held=20,000 running_asked_to_stop=500');
  assert.equal(auditDetails({ job_ids: [1_000_000, 999_999], job_ids_more: 18_020 }), 'job_ids=[1000000,999999] job_ids_more=18,020');
});
