import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptsText } from './attemptsText.ts';

test("a retried job's count starts again, and says how many attempts came before the retry", () => {
  assert.equal(attemptsText({ attempts: 2, max_attempts: 4 }, [{ outcome: 'failed' }, { outcome: 'running' }]), '2 of 4');
  assert.equal(attemptsText({ attempts: 0, max_attempts: 4 }, [{ outcome: 'failed' }]), '0 of 4 since a retry (1 before it, listed below)');
  assert.equal(attemptsText({ attempts: 0, max_attempts: 4 }, [{ outcome: 'interrupted' }]), '0 of 4', 'a hand-back never counted');
});
