import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outageAdvice } from './storeOutage.ts';

test('an outage that passes by itself is promised to clear; one that needs an operator says what to do instead', () => {
  const locked = outageAdvice({ message: 'the database /d/o.db stayed locked by another process; try again', action: null });
  assert.equal(locked.problem, 'the database /d/o.db stayed locked by another process; try again');
  assert.match(locked.advice, /clears by itself/);

  const action = 'run opsdeck migrate with this --db, or open it once with migrations on';
  const schema = outageAdvice({ message: `the database ops on db:5432 lacks opsdeck's schema (relation "jobs" does not exist); ${action}`, action });
  assert.equal(schema.problem, `the database ops on db:5432 lacks opsdeck's schema (relation "jobs" does not exist)`, 'the action is said once, as the advice');
  assert.equal(schema.advice, `What to do: ${action}. This does not clear by itself; the console picks up again once the store answers.`);
  assert.doesNotMatch(schema.advice, /clears by itself/);
});

test("a message that does not end with its action is kept whole", () => {
  const full = outageAdvice({ message: 'too many connections for role "ops"', action: "raise the role's limit" });
  assert.equal(full.problem, 'too many connections for role "ops"');
  assert.match(full.advice, /^What to do: raise the role's limit\./);
});
