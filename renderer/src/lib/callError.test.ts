import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidInputMessage } from '../../../shared/invalidInput.ts';
import { CallError, errorMessage, fieldProblem, onlyFieldProblems } from './callError.ts';
import { parseCallResponse } from './parse.ts';

const CRON = "minute '61' is not a minute (0..59)";

/** What dispatch answers to an input the contract refuses, as the host sends it. */
function refused(call: 'schedules.add' | 'jobs.get', issues: Array<{ path: string; message: string }>): CallError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = invalidInputMessage(call, `${first?.path}: ${first?.message}${more}`);
  try {
    parseCallResponse(call, { ok: false, error: { code: 'invalid_input', message, issues } });
  } catch (error) {
    if (error instanceof CallError) return error;
  }
  throw new Error('parseCallResponse did not throw a CallError');
}

test('a refused input reads as its problems, each once, with its field, without the call name', () => {
  const error = refused('schedules.add', [{ path: 'cron', message: CRON }]);
  assert.equal(errorMessage(error), `cron: ${CRON}`);
  const two = refused('schedules.add', [
    { path: 'cron', message: CRON },
    { path: 'timezone', message: "'Berlin' is not a time zone: did you mean Europe/Berlin?" },
  ]);
  assert.equal(errorMessage(two), `cron: ${CRON}; timezone: 'Berlin' is not a time zone: did you mean Europe/Berlin?`);
  const many = refused('jobs.get', ['a', 'b', 'c', 'd', 'e'].map((path) => ({ path, message: 'bad' })));
  assert.equal(errorMessage(many), 'a: bad; b: bad; c: bad; and 2 more');
});

test("a handler's own message is kept, and an issue it already says is not said again", () => {
  const selector = 'say which dead letters to retry';
  assert.equal(errorMessage(new CallError({ code: 'invalid_input', message: selector, issues: [{ path: 'selector', message: selector }] }, 'dlq.retry')), selector);
  const tune = new CallError({ code: 'invalid_input', message: 'breakers.tune: window too small', issues: [{ path: '', message: 'window too small' }] }, 'breakers.tune');
  assert.equal(errorMessage(tune), 'breakers.tune: window too small');
  const other = new CallError({ code: 'invalid_input', message: 'give either a path or a text', issues: [{ path: '', message: 'exactly one of path and text' }] }, 'registry.validate');
  assert.equal(errorMessage(other), 'give either a path or a text (exactly one of path and text)');
});

test("a field's problem is its message alone; only problems with the given fields count as shown at them", () => {
  const error = refused('schedules.add', [{ path: 'cron', message: CRON }]);
  assert.equal(fieldProblem(error, 'cron'), CRON);
  assert.equal(fieldProblem(error, 'timezone'), null);
  assert.equal(onlyFieldProblems(error, ['name', 'cron']), true);
  assert.equal(onlyFieldProblems(refused('schedules.add', [{ path: 'service', message: 'unknown' }]), ['name', 'cron']), false);
  assert.equal(onlyFieldProblems(new CallError({ code: 'unavailable', message: 'down' }), ['cron']), false);
});
