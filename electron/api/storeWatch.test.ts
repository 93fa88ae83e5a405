import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineLogger } from '../log/logger.ts';
import { StoreError } from '../store/errors.ts';
import { StoreWatch } from './storeWatch.ts';

const refused = new StoreError('unreachable', 'cannot reach PostgreSQL at 127.0.0.1:5433: connection refused', 'is the server running?', { transient: true });
const at = (ms: number) => new Date(ms).toISOString();

function watched(start = 1_000_000) {
  const lines: string[] = [];
  const clock = { now: start };
  const watch = new StoreWatch({ log: lineLogger((line) => lines.push(line)), now: () => clock.now });
  return { lines, clock, watch };
}

test('an outage is told once as it starts (warn, with the error) and once as it ends (info, with how long the store was away)', () => {
  const { lines, clock, watch } = watched();
  watch.answered();
  clock.now += 1500;
  watch.failed(refused);
  for (let i = 0; i < 40; i++) {
    clock.now += 2000;
    watch.failed(refused);
  }
  assert.deepEqual(watch.outage, { from: at(1_000_000), to: null }, 'from its last answer, going on');
  watch.answered();
  watch.answered();
  assert.deepEqual(lines, [
    'warn the store stopped answering error="cannot reach PostgreSQL at 127.0.0.1:5433: connection refused; is the server running?" last_answer=1970-01-01T00:16:40.000Z',
    `info the store answers again, after 1m 20s away away_ms=80000 failed_at=${at(1_001_500)}`,
  ]);
  assert.deepEqual(watch.outage, { from: at(1_000_000), to: at(1_081_500) }, 'the last outage, ended');
});

test('a failure that is not the store being away (a refused input) is no outage', () => {
  const { lines, watch } = watched();
  watch.failed(new Error('invalid cursor'));
  assert.equal(watch.outage, null);
  assert.deepEqual(lines, []);
});

test('a store that keeps going and coming within the minute is told once, then counted; one held that lasts is told', () => {
  const { lines, clock, watch } = watched();
  watch.failed(refused);
  clock.now += 3000;
  watch.answered();
  for (let i = 0; i < 3; i++) {
    clock.now += 5000;
    watch.failed(refused);
    clock.now += 3000;
    watch.answered();
  }
  assert.equal(lines.length, 2, lines.join('\n'));
  clock.now += 5000;
  watch.failed(refused);
  // Still away once a minute has passed since the last told: said, with the ones held back.
  clock.now = 1_000_000 + 60_000;
  watch.failed(refused);
  assert.match(lines[2] ?? '', /^warn the store stopped answering, 28s ago \(it also stopped 3 more time\(s\) in the last 60 s, each answering again within it\) error=/);
  clock.now += 1000;
  watch.answered();
  assert.match(lines[3] ?? '', /^info the store answers again, after 29s away/);
});

test('its probe asks the store only while nothing else told it how the store is, and reports what it finds', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { clock, watch } = watched();
  let asked = 0;
  let up = true;
  const stop = watch.watch(async () => {
    asked += 1;
    if (!up) throw refused;
  }, 2000);
  watch.answered();
  t.mock.timers.tick(2000);
  assert.equal(asked, 0, 'a read a moment ago told it');
  clock.now += 5000;
  up = false;
  t.mock.timers.tick(2000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(asked, 1);
  assert.equal(watch.outage?.to, null, 'the probe found it away');
  stop();
});
