import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldOldest } from './breakerBacklog.ts';
import type { BreakerEvent } from './breakerMachine.ts';

const at = (ms: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + ms);

test('up to the bound nothing is folded', () => {
  const events: BreakerEvent[] = [{ type: 'failure', at: at(1) }, { type: 'success', at: at(2) }];
  assert.deepEqual(foldOldest(events, 2), { events, folded: 0 });
});

test('past the bound the oldest become one counted success and one counted failure, at their last instants, and the newest half stay as they are', () => {
  const events: BreakerEvent[] = [
    { type: 'failure', at: at(1), error: 'first' },
    { type: 'success', at: at(2), count: 3 },
    { type: 'probe_release', at: at(3) },
    { type: 'failure', at: at(4), error: 'second', count: 2 },
    { type: 'failure', at: at(5) },
    { type: 'success', at: at(6) },
    { type: 'failure', at: at(7), error: 'newest' },
    { type: 'success', at: at(8) },
  ];
  const { events: folded, folded: n } = foldOldest(events, 4);
  assert.equal(n, 6);
  assert.deepEqual(folded, [
    { type: 'failure', at: at(5), count: 4, error: 'second' },
    { type: 'success', at: at(6), count: 4 },
    { type: 'failure', at: at(7), error: 'newest' },
    { type: 'success', at: at(8) },
  ]);
  const outcomes = (list: BreakerEvent[], type: string) => list.filter((e) => e.type === type).reduce((sum, e) => sum + ('count' in e ? (e.count ?? 1) : 1), 0);
  assert.equal(outcomes(folded, 'failure'), outcomes(events, 'failure'), 'no failure lost');
  assert.equal(outcomes(folded, 'success'), outcomes(events, 'success'), 'no success lost');
});
