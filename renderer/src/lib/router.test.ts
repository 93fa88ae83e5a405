import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute, routeHref, setTextParam } from './router.ts';

test('a hash becomes a path and its parameters; no hash is the overview', () => {
  const route = parseRoute('/jobs?status=failed,running&q=time%20out');
  assert.equal(route.path, '/jobs');
  assert.equal(route.params.get('status'), 'failed,running');
  assert.equal(route.params.get('q'), 'time out');
  assert.equal(parseRoute('').path, '/');
  assert.equal(parseRoute('dlq').path, '/dlq');
});

test('a query with a question mark in a value keeps it', () => {
  assert.equal(parseRoute('/jobs?q=why?').params.get('q'), 'why?');
});

test('hrefs carry parameters given as an object or as URLSearchParams, and none when empty', () => {
  assert.equal(routeHref('/jobs', { service: 'e2e upstream' }), '#/jobs?service=e2e+upstream');
  assert.equal(routeHref('/jobs', new URLSearchParams('job=4')), '#/jobs?job=4');
  assert.equal(routeHref('/dlq'), '#/dlq');
  assert.equal(routeHref('/dlq', {}), '#/dlq');
});

test('a blank text removes its parameter instead of leaving it empty', () => {
  const params = new URLSearchParams('q=old&x=1');
  setTextParam(params, 'q', 'timeout');
  assert.equal(params.toString(), 'q=timeout&x=1');
  setTextParam(params, 'q', '   ');
  assert.equal(params.toString(), 'x=1');
});
