import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controlState, stopped } from '../../lib/testing/fixtures.ts';
import { controlAnnouncement } from './controlAnnouncement.ts';

test('the first state seen is where the console starts, not news, even a stop', () => {
  assert.equal(controlAnnouncement(null, stopped(4)).text, null);
});

test('the stop engaging is said with who and why; releasing it is said too', () => {
  const engaged = controlAnnouncement(controlState({ version: 1 }), stopped(2));
  assert.equal(engaged.text, 'Emergency stop engaged by ops@laptop: db failover. No job is dispatched on any worker.');
  assert.equal(controlAnnouncement(stopped(2, 'cli', null), controlState({ version: 3 })).text, 'Emergency stop released: dispatch resumes.');
  assert.equal(controlAnnouncement(controlState({ version: 1 }), stopped(2, 'cli', null)).text, 'Emergency stop engaged by cli. No job is dispatched on any worker.');
});

test('ticks that repeat the state say nothing; other control changes say nothing here', () => {
  let seen = controlAnnouncement(null, controlState({ version: 1 }));
  const texts: Array<string | null> = [];
  for (const next of [stopped(2), stopped(2), stopped(2), { ...stopped(3), paused_queues: [{ queue: 'q', by: 'x', at: '2026-11-22T08:00:00.000Z', reason: null }] }]) {
    seen = controlAnnouncement(seen.state, next);
    texts.push(seen.text);
  }
  assert.deepEqual(texts, ['Emergency stop engaged by ops@laptop: db failover. No job is dispatched on any worker.', null, null, null]);
});

test('a tick taken before the change, arriving after it, is not read as a release', () => {
  const after = controlAnnouncement(controlState({ version: 1 }), stopped(2));
  const late = controlAnnouncement(after.state, controlState({ version: 1 }));
  assert.equal(late.text, null);
  assert.equal(late.state?.version, 2);
});
