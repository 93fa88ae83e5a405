import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api } from './commands/api.ts';
import { serve } from './commands/serve.ts';
import { worker } from './commands/worker.ts';

test('the commands that keep running name every option of theirs in their usage line, the log options and --metrics-host too', () => {
  for (const command of [worker, serve, api]) {
    const missing = Object.keys(command.options).filter((option) => !command.usage.includes(`--${option}`));
    assert.deepEqual(missing, [], `${command.name}'s usage: ${command.usage}`);
  }
});
