import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTime } from './format.ts';
import { silenceAdvice } from './hostSilence.ts';

test('a silent host is named, with how old the data shown is and that it needs restarting if it stays away; the store is not blamed', () => {
  const at = '2026-12-06T13:10:18.000Z';
  const serve = silenceAdvice({ host: 'serve', lastAnswer: at }, 'local');
  assert.equal(serve.problem, `the console's host, opsdeck serve, stopped answering; the data shown is as of ${formatTime(at, 'local')}.`);
  assert.match(silenceAdvice({ host: 'serve', lastAnswer: at }, 'utc').problem, /the data shown is as of 2026-12-06 13:10:18Z\.$/);
  assert.match(serve.advice, /If it does not come back, restart opsdeck serve and open the new URL it prints\./);
  assert.match(serve.advice, /The store may be fine/);
  assert.doesNotMatch(`${serve.problem} ${serve.advice}`, /clears by itself/);

  const desktop = silenceAdvice({ host: 'desktop', lastAnswer: null }, 'local');
  assert.match(desktop.problem, /the desktop app's main process, stopped answering; nothing has come from it since this page opened/);
  assert.match(desktop.advice, /quit and start the opsdeck app again/);
});
