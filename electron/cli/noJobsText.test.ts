import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noJobsText } from './noJobsText.ts';

describe('noJobsText', () => {
  const none = { stuck: false, scheduled: false, longerThan: undefined };

  it('names the view an empty listing looked through, as fail --stuck does', () => {
    assert.equal(noJobsText({ ...none, stuck: true }, false), 'no stuck jobs (running with an expired lease)');
    assert.equal(noJobsText({ ...none, scheduled: true }, false), 'no scheduled jobs (pending, not yet due)');
    assert.equal(noJobsText({ ...none, longerThan: '10m' }, false), 'no jobs running longer than 10m');
  });

  it('says other filters narrowed it too, and keeps the plain words for filters alone', () => {
    assert.equal(noJobsText({ ...none, scheduled: true }, true), 'no scheduled jobs (pending, not yet due) match the other filters');
    assert.equal(noJobsText(none, true), 'no jobs match');
    assert.equal(noJobsText(none, false), 'no jobs match');
  });
});
