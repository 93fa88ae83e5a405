/* eslint-disable no-restricted-imports -- the renderer's pure logic is tested under Node's runner; the app code itself stays Node-free. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterFromParams, hasFilters } from './jobFilterUrl.ts';

const NOW = Date.parse('2026-11-22T08:00:00Z');

test('URL parameters become a JobFilter, unknown values dropped', () => {
  const filter = filterFromParams(new URLSearchParams('status=failed,bogus,running&type=shell&queue=billing&service=%20&q=timeout&stuck=1'), NOW);
  assert.deepEqual(filter, { status: ['failed', 'running'], execution_type: ['shell'], queue: 'billing', search: 'timeout', stuck: true });
});

test('a relative range resolves against the given clock; from/to are ignored with it', () => {
  const filter = filterFromParams(new URLSearchParams('range=1h&from=2020-01-01T00:00'), NOW);
  assert.deepEqual(filter, { created_after: '2026-11-22T07:00:00.000Z' });
});

test('an explicit window is kept, an unparseable bound is dropped', () => {
  const filter = filterFromParams(new URLSearchParams('from=2026-11-21T10:00:00Z&to=not-a-date'), NOW);
  assert.deepEqual(filter, { created_after: '2026-11-21T10:00:00.000Z' });
});

test('no parameters: the empty filter; the drawer parameter is not a filter', () => {
  assert.deepEqual(filterFromParams(new URLSearchParams(''), NOW), {});
  assert.equal(hasFilters(new URLSearchParams('job=12')), false);
  assert.equal(hasFilters(new URLSearchParams('q=x')), true);
});
