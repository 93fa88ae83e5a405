import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditDetails } from './auditDetails.ts';

test('details read as key=value, strings bare, structures as JSON, empty values left out', () => {
  assert.equal(auditDetails({ note: 'fixed by hand', selector: { fingerprint: 'fp' }, reason: null, count: 3, gone: undefined }), 'note=fixed by hand selector={"fingerprint":"fp"} count=3');
  assert.equal(auditDetails(null), '');
  assert.equal(auditDetails({}), '');
});
