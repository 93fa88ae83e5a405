import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicesPieces, servicesText } from './servicesText.ts';

const services = (n: number) => Array.from({ length: n }, (_, i) => `svc_${String(i).padStart(2, '0')}`);

test("a group's services name the first three, then count the rest", () => {
  assert.equal(servicesText(services(24)), 'svc_00, svc_01, svc_02 and 21 more');
  assert.equal(servicesText(services(5)), 'svc_00, svc_01, svc_02 and 2 more');
});

test('a few services are all named; one more than three is named rather than counted', () => {
  assert.equal(servicesText(services(1)), 'svc_00');
  assert.equal(servicesText(services(3)), 'svc_00, svc_01, svc_02');
  assert.equal(servicesText(services(4)), 'svc_00, svc_01, svc_02, svc_03');
});

test('a line breaks between the names and before the count, never inside them', () => {
  assert.deepEqual(servicesPieces(services(24)), ['svc_00,', 'svc_01,', 'svc_02', 'and 21 more']);
  assert.deepEqual(servicesPieces(['billing_webhook']), ['billing_webhook']);
});
