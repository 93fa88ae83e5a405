import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicesText } from './commands/fleet.ts';

test("a worker's services are read against the registry here: the ones it lacks are named, not cut from a list", () => {
  assert.equal(servicesText(null, ['a']), 'not said (an older worker)');
  assert.equal(servicesText(['a', 'b'], null), 'a,b');
  assert.equal(servicesText([], null), 'none');
  assert.equal(servicesText(['a', 'b'], ['b', 'a']), 'all 2 of the registry');
  assert.equal(servicesText(['a'], ['a', 'rl_noop', 'z']), 'lacks rl_noop,z');
  assert.equal(servicesText(['a', 'old'], ['a', 'new']), 'lacks new; also old');
});
