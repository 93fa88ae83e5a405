import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controlAsked, controlNotTakenText } from './controlNotTaken.ts';

const down = { problem: 'cannot reach PostgreSQL at 127.0.0.1:5433: connection refused; is the server running?', lasting: false };

test('an emergency stop the store did not take says NOT engaged, why, what stands meanwhile and to press it again; workers cut off stop their jobs themselves', () => {
  const text = controlNotTakenText(controlAsked('control.emergencyStop', { reason: 'drill' }), down, 'press Emergency stop again');
  assert.match(text, /^emergency stop NOT engaged: the store does not answer \(cannot reach PostgreSQL at 127\.0\.0\.1:5433: connection refused; is the server running\?\), so nothing was stopped/);
  assert.match(text, /workers that still reach the store go on dispatching\. Once the store answers, press Emergency stop again\./);
  assert.match(text, /about 20 s after its last lease extension went through/);
});

test('a release not taken says that whatever held still holds, and promises nothing of the workers', () => {
  const resume = controlNotTakenText(controlAsked('control.resume', {}), down, 'run opsdeck resume again');
  assert.match(resume, /^emergency stop NOT released: the store does not answer \(.*\), so nothing changed: if it was engaged, it still is\. Once the store answers, run opsdeck resume again\.$/);
  const safeOff = controlNotTakenText(controlAsked('control.safeMode', { enabled: false }), down, 'press Leave safe mode again');
  assert.match(safeOff, /^safe mode NOT turned off: .*if it was on, it still is\. Once the store answers, press Leave safe mode again\.$/);
  const unpause = controlNotTakenText(controlAsked('control.pauseQueue', { queue: 'emails', paused: false }), down, 'resume queue emails again');
  assert.match(unpause, /^queue emails NOT unpaused: .*if it was paused, it still is\./);
});

test('safe mode not turned on says so with the workers that cut off stop by themselves; a pause not taken says its jobs go on', () => {
  const safeOn = controlNotTakenText(controlAsked('control.safeMode', { enabled: true }), down, 'press Enter safe mode again');
  assert.match(safeOn, /^safe mode NOT turned on: the store does not answer .*go on starting jobs\. Once the store answers, press Enter safe mode again\. Meanwhile a worker that cannot reach the store/);
  const pause = controlNotTakenText(controlAsked('control.pauseQueue', { queue: 'emails', paused: true }), down, 'pause queue emails again');
  assert.match(pause, /^queue emails NOT paused: .*go on dispatching its jobs\. Once the store answers, pause queue emails again\.$/);
});

test('a store that needs an operator first is said to be unusable, not merely silent', () => {
  const text = controlNotTakenText(controlAsked('control.emergencyStop', {}), { problem: "the database ops lacks opsdeck's schema", lasting: true }, 'press Emergency stop again');
  assert.match(text, /^emergency stop NOT engaged: the store cannot be used \(the database ops lacks opsdeck's schema\), so nothing was stopped.*\. Once that is fixed, press Emergency stop again\./);
});
