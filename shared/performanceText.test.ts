import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { perMinuteText, successText } from './performanceText.ts';
import type { PerformanceFigures } from './views.ts';

const figures = (over: Partial<PerformanceFigures>): PerformanceFigures => ({
  completed: 0,
  failed: 0,
  retried: 0,
  success_rate: null,
  p50_ms: null,
  p95_ms: null,
  p99_ms: null,
  per_minute: 0,
  ...over,
});

describe('performance figures as the CLI and the console write them', () => {
  it('a success rate to a tenth of a percent; none is each surface\'s own mark', () => {
    assert.deepEqual([successText(0.8333, '-'), successText(1, '-'), successText(0, '-'), successText(null, '—')], ['83.3%', '100.0%', '0.0%', '—']);
  });

  it('jobs per minute to two places, and a trickle that rounds to nothing is not shown as none', () => {
    assert.equal(perMinuteText(figures({ completed: 120, per_minute: 2 })), '2.00');
    assert.equal(perMinuteText(figures({ failed: 1, per_minute: 0 })), '<0.01');
    assert.equal(perMinuteText(figures({ retried: 3, per_minute: 0 })), '0.00', 'retries alone finished nothing');
  });
});
