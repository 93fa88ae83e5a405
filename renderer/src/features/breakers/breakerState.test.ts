import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveState } from '../../../../shared/breakerRecord.ts';
import { breakerAnnouncement } from './breakerState.ts';

test('an operator\'s force wins over the automatic state', () => {
  assert.equal(effectiveState({ mode: 'force_open', state: 'closed' }), 'open');
  assert.equal(effectiveState({ mode: 'force_closed', state: 'open' }), 'closed');
  assert.equal(effectiveState({ mode: 'auto', state: 'half_open' }), 'half_open');
});

test('a breaker opening is said once, by itself or forced; staying open or closing says nothing', () => {
  let open: ReadonlySet<string> = new Set();
  const said: Array<string | null> = [];
  for (const change of [
    { service: 'billing', mode: 'auto', state: 'open' },
    { service: 'billing', mode: 'force_open', state: 'open' },
    { service: 'billing', mode: 'auto', state: 'half_open' },
    { service: 'billing', mode: 'force_open', state: 'half_open' },
    { service: 'sync', mode: 'auto', state: 'closed' },
  ] as const) {
    const seen = breakerAnnouncement(open, change);
    open = seen.open;
    said.push(seen.text);
  }
  assert.deepEqual(said, [
    'Circuit breaker billing opened after repeated failures: its jobs wait.',
    null,
    null,
    'Circuit breaker billing forced open by an operator: its jobs wait.',
    null,
  ]);
  assert.deepEqual([...open], ['billing']);
});
