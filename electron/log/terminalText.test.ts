import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalText } from './terminalText.ts';

const ESC = String.fromCharCode(27);

test("an upstream's answer cannot erase the line it is quoted in, nor move the cursor, nor reorder it", () => {
  const body = `${ESC}[2K\rok ${ESC}[32mall healthy${ESC}[0m`;
  assert.equal(terminalText(`error: HTTP 500 from POST /evil: ${body}`), `error: HTTP 500 from POST /evil: \\u001b[2K\\rok ${ESC}[32mall healthy${ESC}[0m`);
  assert.equal(terminalText(`a${ESC}[1A${ESC}]0;title\u0007b`), 'a\\u001b[1A\\u001b]0;title\\u0007b');
  assert.equal(terminalText('invoice\u202Etxt.exe'), 'invoice\\u202etxt.exe', 'a right-to-left override');
  assert.equal(terminalText('x\u009b2Ky'), 'x\\u009b2Ky', "C1's one-byte CSI");
  assert.equal(terminalText('nul\u0000del\u007f'), 'nul\\u0000del\\u007f');
});

test('text that could hide itself keeps its codes shown: concealed, black or white, a background', () => {
  for (const code of ['8', '30', '37', '97', '41', '30;40', '38;5;0', '7']) {
    assert.equal(terminalText(`${ESC}[${code}mhidden`), `\\u001b[${code}mhidden`, code);
  }
});

test('newlines, tabs, plain and non-Latin text, and our own colours pass unchanged', () => {
  const ours = `${ESC}[31mFAIL${ESC}[0m\tdétail: 失败\n${ESC}[1;33mWARN${ESC}[39m${ESC}[m ${ESC}[90mgrey${ESC}[22m`;
  assert.equal(terminalText(ours), ours);
});

test('a JSON line passed through says the same', () => {
  const line = JSON.stringify({ msg: `csi\u009b2K rlo\u202e esc${ESC}[2K cr\r` });
  assert.deepEqual(JSON.parse(terminalText(line)), JSON.parse(line));
  assert.doesNotMatch(terminalText(line), /[\u0080-\u009f\u202a-\u202e]/);
});
