import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { CpuMeter, cpuPercent, MIN_WINDOW_MS, type CpuReading } from './cpuMeter.ts';

test('CPU time over wall time, as a percent of one core: past 100 when more than one core was busy', () => {
  assert.equal(cpuPercent({ cpuMicros: 0, atMs: 0 }, { cpuMicros: 1_500_000, atMs: 10_000 }), 15);
  assert.equal(cpuPercent({ cpuMicros: 2_000_000, atMs: 1000 }, { cpuMicros: 20_000_000, atMs: 11_000 }), 180);
  assert.equal(cpuPercent({ cpuMicros: 5, atMs: 0 }, { cpuMicros: 5, atMs: 10_000 }), 0, 'idle');
  assert.equal(cpuPercent({ cpuMicros: 0, atMs: 0 }, { cpuMicros: 12_340, atMs: 10_000 }), 0.1, 'to a tenth');
  assert.equal(cpuPercent({ cpuMicros: 0, atMs: 5 }, { cpuMicros: 10, atMs: 5 }), null, 'no time passed');
});

test('each sample measures from the one before, the first from the meter\'s making', () => {
  const readings: CpuReading[] = [
    { cpuMicros: 0, atMs: 0 },
    { cpuMicros: 2_500_000, atMs: 10_000 },
    { cpuMicros: 2_600_000, atMs: 20_000 },
  ];
  let i = 0;
  const meter = new CpuMeter(() => readings[i++] ?? { cpuMicros: 0, atMs: 0 });
  assert.equal(meter.sample(), 25);
  assert.equal(meter.sample(), 1);
});

test('a sample right after another gives that figure again, and the next measures from the last real one', () => {
  const readings: CpuReading[] = [
    { cpuMicros: 0, atMs: 0 },
    { cpuMicros: 2_500_000, atMs: 10_000 },
    { cpuMicros: 2_500_500, atMs: 10_001 },
    { cpuMicros: 3_500_000, atMs: 20_000 },
  ];
  let i = 0;
  const meter = new CpuMeter(() => readings[i++] ?? { cpuMicros: 0, atMs: 0 });
  assert.equal(meter.sample(), 25);
  assert.equal(meter.sample(), 25, 'a millisecond later: not 50%');
  assert.equal(meter.sample(), 10, 'measured from 10 000 ms');
});

test('a platform that will not say gives no figure rather than a failed heartbeat, and the next one measures again', () => {
  let fail = true;
  let at = 0;
  const meter = new CpuMeter(() => {
    if (fail) throw new Error('uv_getrusage failed');
    at += 1000;
    return { cpuMicros: at * 100, atMs: at };
  });
  assert.equal(meter.sample(), null);
  fail = false;
  assert.equal(meter.sample(), null, 'nothing before it to measure from');
  assert.equal(meter.sample(), 10);
});

test("this process's own CPU: time spent spinning shows, as no more than the cores could give", () => {
  const meter = new CpuMeter();
  const started = Date.now();
  const before = process.cpuUsage();
  // Spun until it has used 50 ms of CPU, however busy the machine is (other processes share its cores).
  while (process.cpuUsage(before).user < 50_000) Math.sqrt(Date.now());
  // Then idle to the shortest span a figure is measured over.
  const left = MIN_WINDOW_MS + 10 - (Date.now() - started);
  if (left > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);
  const wallMs = Date.now() - started;
  const percent = meter.sample();
  assert.ok(percent !== null && percent > 0, `${percent}%`);
  assert.ok(percent <= 100 * availableParallelism() + 1, `${percent}% on ${availableParallelism()} cores`);
  assert.ok(percent >= Math.floor((50 / (wallMs + 5)) * 100) - 1, `at least 50 ms of CPU in ${wallMs} ms: ${percent}%`);
});
