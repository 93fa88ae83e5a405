import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuCell } from './workerCpu.ts';

test("a live worker's CPU is a percent of one core, past 100 when it kept more than one busy", () => {
  const live = cpuCell({ cpu_percent: 12.25, state: 'running', lost: false });
  assert.deepEqual([live.text, live.dim], ['12.3%', false]);
  assert.match(live.title, /^CPU time the worker process spent between its last two heartbeats, as a percent of one core/);
  assert.equal(cpuCell({ cpu_percent: 187, state: 'draining', lost: false }).text, '187.0%');
});

test("a lost or stopped worker's CPU is its last known, marked so; one that said nothing shows a dash, and why", () => {
  const lost = cpuCell({ cpu_percent: 99.9, state: 'running', lost: true });
  assert.deepEqual([lost.text, lost.dim], ['99.9% last known', true]);
  assert.match(lost.title, /^Last known, at its last heartbeat: a lost worker reports nothing: CPU time/);
  assert.match(cpuCell({ cpu_percent: 0, state: 'stopped', lost: false }).title, /^Last known, as it stopped: /);
  const back = cpuCell({ cpu_percent: 3, state: 'reconnecting', lost: false });
  assert.deepEqual([back.text, back.dim], ['3.0% last known', true], 'said before the store outage');
  assert.match(back.title, /^Last known, from before the store stopped answering/);
  const none = cpuCell({ cpu_percent: null, state: 'running', lost: false });
  assert.deepEqual([none.text, none.dim], ['-', true]);
  assert.match(none.title, /older version/);
});
