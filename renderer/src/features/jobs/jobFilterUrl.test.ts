import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseCreated, createdChoice, filterFromParams, hasFilters, listParam, toggleListParam, toLocalInput } from './jobFilterUrl.ts';

const NOW = Date.parse('2026-11-22T08:00:00Z');

test('URL parameters become a JobFilter, unknown values dropped', () => {
  const { filter } = filterFromParams(new URLSearchParams('status=failed,bogus,running&type=shell&queue=billing&service=%20&q=timeout&stuck=1'), NOW);
  assert.deepEqual(filter, { status: ['failed', 'running'], execution_type: ['shell'], queue: 'billing', search: 'timeout', stuck: true });
});

test('a failure class is kept when it is one, dropped when it is not', () => {
  assert.deepEqual(filterFromParams(new URLSearchParams('class=resource_limit'), NOW).filter, { error_class: 'resource_limit' });
  assert.deepEqual(filterFromParams(new URLSearchParams('class=http_5xx&status=failed'), NOW).filter, { status: ['failed'], error_class: 'http_5xx' });
  assert.deepEqual(filterFromParams(new URLSearchParams(`class=${encodeURIComponent("x' OR 1=1")}`), NOW).filter, {});
  assert.equal(hasFilters(new URLSearchParams('class=timeout')), true);
});

test('a value the contract refuses is left out with a reason naming the field and its limit, never thrown', () => {
  const long = 'a'.repeat(300);
  const { filter, dropped } = filterFromParams(new URLSearchParams({ service: long, queue: 'billing', q: 'x'.repeat(501), status: 'failed' }), NOW);
  assert.deepEqual(filter, { status: ['failed'], queue: 'billing' });
  assert.deepEqual(dropped, [
    { label: 'Service', why: '300 characters, at most 200 are accepted' },
    { label: 'Error text', why: '501 characters, at most 500 are accepted' },
  ]);
  // At the limit it is kept, and nothing is reported.
  assert.deepEqual(filterFromParams(new URLSearchParams({ q: 'x'.repeat(500) }), NOW), { filter: { search: 'x'.repeat(500) }, dropped: [] });
});

test('a relative range resolves against the given clock; from/to are ignored with it', () => {
  const { filter } = filterFromParams(new URLSearchParams('range=1h&from=2020-01-01T00:00'), NOW);
  assert.deepEqual(filter, { created_after: '2026-11-22T07:00:00.000Z' });
});

test('an explicit window is kept, an unparseable bound is dropped', () => {
  const { filter } = filterFromParams(new URLSearchParams('from=2026-11-21T10:00:00Z&to=not-a-date'), NOW);
  assert.deepEqual(filter, { created_after: '2026-11-21T10:00:00.000Z' });
});

test('no parameters: the empty filter; the drawer parameter is not a filter', () => {
  assert.deepEqual(filterFromParams(new URLSearchParams(''), NOW).filter, {});
  assert.equal(hasFilters(new URLSearchParams('job=12')), false);
  assert.equal(hasFilters(new URLSearchParams('q=x')), true);
});

test('ticking values of a list parameter adds and removes them; the last one removes the parameter', () => {
  const params = new URLSearchParams('q=x');
  toggleListParam(params, 'status', 'failed');
  toggleListParam(params, 'status', 'running');
  assert.equal(params.get('status'), 'failed,running');
  assert.deepEqual([...listParam(params, 'status')], ['failed', 'running']);
  toggleListParam(params, 'status', 'failed');
  toggleListParam(params, 'status', 'running');
  assert.equal(params.toString(), 'q=x');
});

test('the created menu: a range replaces a window, a window opens an hour back, any time clears both', () => {
  const params = new URLSearchParams('from=2026-11-21T10:00&to=2026-11-21T11:00');
  assert.equal(createdChoice(params), 'custom');
  chooseCreated(params, '6h', NOW);
  assert.equal(params.toString(), 'range=6h');
  assert.equal(createdChoice(params), '6h');
  chooseCreated(params, 'custom', NOW);
  assert.equal(params.get('range'), null);
  assert.equal(params.get('from'), toLocalInput(NOW - 3600_000));
  chooseCreated(params, '', NOW);
  assert.equal(params.toString(), '');
  assert.equal(createdChoice(params), '');
});

test('a window already chosen is kept when "between" is picked again', () => {
  const params = new URLSearchParams('from=2026-11-20T09:00');
  chooseCreated(params, 'custom', NOW);
  assert.equal(params.get('from'), '2026-11-20T09:00');
});

test('local input time is wall-clock time in the given offset, to the minute', () => {
  assert.equal(toLocalInput(NOW, 0), '2026-11-22T08:00');
  assert.equal(toLocalInput(NOW, -60), '2026-11-22T09:00');
  assert.equal(toLocalInput(NOW, 300), '2026-11-22T03:00');
});

test('running longer than a duration is running jobs started before now less that long, as the CLI reads it', () => {
  const { filter, dropped } = filterFromParams(new URLSearchParams('running_longer_than=30m'), NOW);
  assert.deepEqual(filter, { status: ['running'], started_before: '2026-11-22T07:30:00.000Z' });
  assert.deepEqual(dropped, []);
  assert.equal(filterFromParams(new URLSearchParams('running_longer_than=2h'), NOW).filter.started_before, '2026-11-22T06:00:00.000Z');
  assert.equal(filterFromParams(new URLSearchParams('running_longer_than=90'), NOW).filter.started_before, '2026-11-22T07:58:30.000Z');
  // A status picked is kept, as `--status` is beside `--running-longer-than`.
  assert.deepEqual(filterFromParams(new URLSearchParams('running_longer_than=1h&status=failed'), NOW).filter.status, ['failed']);
  assert.equal(hasFilters(new URLSearchParams('running_longer_than=5m')), true);
});

test('running longer than something that is not a duration is left out, saying how to write one', () => {
  const { filter, dropped } = filterFromParams(new URLSearchParams('running_longer_than=1.5h&queue=billing'), NOW);
  assert.deepEqual(filter, { queue: 'billing' });
  assert.deepEqual(dropped, [{ label: 'Running longer than', why: '"1.5h" is not a duration: write one like 90s, 10m, 2h or 1d' }]);
  // Beside another value refused, both are named.
  const both = filterFromParams(new URLSearchParams({ running_longer_than: 'soon', service: 's'.repeat(300) }), NOW);
  assert.deepEqual(both.dropped.map((d) => d.label), ['Running longer than', 'Service']);
});
