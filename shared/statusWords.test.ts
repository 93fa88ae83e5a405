import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusMeant, unknownStatusText } from './statusWords.ts';

test("other systems' statuses are read as opsdeck's, and a misspelling as the status it is near", () => {
  const cases: Array<[string, string | null]> = [
    ['in_progress', 'running'],
    ['In-Progress', 'running'],
    ['queued', 'pending'],
    ['done', 'completed'],
    ['success', 'completed'],
    ['error', 'failed'],
    ['dead', 'failed'],
    ['canceled', 'cancelled'],
    ['runing', 'running'],
    ['FAILED', 'failed'],
    ['banana', null],
  ];
  for (const [word, meant] of cases) assert.equal(statusMeant(word), meant, word);
});

test('the refusal says what opsdeck calls another system\'s word, and guesses a misspelt one', () => {
  assert.match(unknownStatusText('in_progress'), /^"in_progress" is no status \(opsdeck calls it running\); the statuses are pending, running, /);
  assert.match(unknownStatusText('runing'), /^"runing" is no status \(did you mean running\?\)/);
  assert.match(unknownStatusText('banana'), /^"banana" is no status; the statuses are /);
});

test("of fewer statuses (a workflow run's), another system's word is named only when its meaning is among them", () => {
  const runs = ['running', 'completed', 'failed', 'cancelled'];
  assert.equal(unknownStatusText('in_progress', runs), '"in_progress" is no status (opsdeck calls it running); the statuses are running, completed, failed, cancelled');
  assert.equal(unknownStatusText('queued', runs), '"queued" is no status; the statuses are running, completed, failed, cancelled', 'a run is never pending');
  assert.match(unknownStatusText('faild', runs), /\(did you mean failed\?\)/);
});
