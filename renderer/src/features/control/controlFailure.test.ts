import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallError } from '../../lib/callError.ts';
import { controlFailure } from './controlFailure.ts';

const refused = new CallError({ code: 'unavailable', message: 'cannot reach PostgreSQL at 127.0.0.1:5433: connection refused; is the server running?' }, 'control.emergencyStop');

test('an emergency stop the store did not take says NOT engaged, to press it again once the store answers, and stays until dismissed', () => {
  const notice = controlFailure('control.emergencyStop', {}, refused);
  assert.equal(notice.sticky, true);
  assert.match(notice.text, /^Emergency stop NOT engaged: the store does not answer \(cannot reach PostgreSQL at 127\.0\.0\.1:5433: connection refused; is the server running\?\), so nothing was stopped/);
  assert.match(notice.text, /Once the store answers, press Emergency stop again\. Meanwhile a worker that cannot reach the store either stops its running jobs by itself/);
});

test('its release, safe mode and a queue name their own control to press again', () => {
  assert.match(controlFailure('control.resume', {}, refused).text, /^Emergency stop NOT released: .* press Resume in the Emergency stop banner again\.$/);
  assert.match(controlFailure('control.safeMode', { enabled: true }, refused).text, /^Safe mode NOT turned on: .* press Enter safe mode again\. Meanwhile/);
  assert.match(controlFailure('control.safeMode', { enabled: false }, refused).text, /^Safe mode NOT turned off: .* press Leave safe mode again\.$/);
  assert.match(controlFailure('control.pauseQueue', { queue: 'emails', paused: false }, refused).text, /^Queue emails NOT unpaused: .* resume queue emails again\.$/);
});

test("any other failure is the call's own message, gone with the others", () => {
  const conflict = new CallError({ code: 'not_found', message: 'no queue named emial' }, 'control.pauseQueue');
  assert.deepEqual(controlFailure('control.pauseQueue', { queue: 'emial', paused: true }, conflict), { text: 'no queue named emial', sticky: false });
});
