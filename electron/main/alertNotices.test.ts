import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initialNoticeState, noticeFor } from './notices.ts';

describe('desktop notices for alerts', () => {
  const change = (status: string, desktop: boolean) => ({ rule: 'failure-spike', status, severity: 'critical', summary: '8 of 12 attempts failed', at: '2026-12-04T12:00:00.000Z', desktop });

  test('a rule with a desktop channel is noticed when it fires and when it resolves', () => {
    const state = initialNoticeState();
    assert.deepEqual(noticeFor(state, 'alert.changed', change('firing', true)), { title: 'Alert firing (critical): failure-spike', body: '8 of 12 attempts failed' });
    assert.deepEqual(noticeFor(state, 'alert.changed', change('resolved', true)), { title: 'Alert resolved: failure-spike', body: '8 of 12 attempts failed' });
  });

  test('a rule without one (or silenced), or a malformed event, is not', () => {
    const state = initialNoticeState();
    assert.equal(noticeFor(state, 'alert.changed', change('firing', false)), null);
    assert.equal(noticeFor(state, 'alert.changed', { ...change('firing', true), rule: '' }), null);
    assert.equal(noticeFor(state, 'alert.changed', 'garbage'), null);
  });
});
