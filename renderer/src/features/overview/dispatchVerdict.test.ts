import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISPATCH_KINDS, dispatchVerdict } from './dispatchVerdict.ts';

const unknown = { name: 'dispatch', ok: false, detail: 'cannot tell: cannot reach PostgreSQL at 127.0.0.1:5433: connection refused; is the server running?' };

test('a dispatch check that could not be made is headed as not known, never as jobs not dispatched', () => {
  const verdict = dispatchVerdict([unknown]);
  assert.equal(verdict?.kind, 'unknown');
  assert.equal(DISPATCH_KINDS.unknown.heading, 'Cannot tell whether due jobs are being dispatched');
  assert.doesNotMatch(DISPATCH_KINDS.unknown.heading, /not being dispatched/);
});

test('a failure it found is one, a warning is one, and a passing check says nothing', () => {
  assert.equal(dispatchVerdict([{ name: 'dispatch', ok: false, detail: '1,556 due job(s): no worker is running' }])?.kind, 'fail');
  assert.equal(dispatchVerdict([{ name: 'dispatch', ok: false, detail: 'no worker is running' }, unknown])?.kind, 'fail', 'what was found outranks what was not');
  assert.equal(dispatchVerdict([{ name: 'dispatch', ok: true, warning: true, detail: 'every worker is busy' }])?.kind, 'warn');
  assert.equal(dispatchVerdict([{ name: 'dispatch', ok: true, detail: 'ok' }]), null);
});
