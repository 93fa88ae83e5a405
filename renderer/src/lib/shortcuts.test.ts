import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ariaKeys, isApplePlatform, keysLabel, shortcutOf, SHORTCUTS, type KeyPress } from './shortcuts.ts';

function press(overrides: Partial<KeyPress>): KeyPress {
  return { key: '', code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, repeat: false, editable: false, ...overrides };
}

test('Ctrl+Shift+X or ⌘⇧X is the stop, in a text field too', () => {
  assert.equal(shortcutOf(press({ key: 'X', code: 'KeyX', ctrlKey: true, shiftKey: true })), 'emergency-stop');
  assert.equal(shortcutOf(press({ key: 'x', code: 'KeyX', metaKey: true, shiftKey: true, editable: true })), 'emergency-stop');
});

test('the stop chord is found by the key position on layouts where X types another letter', () => {
  assert.equal(shortcutOf(press({ key: 'ч', code: 'KeyX', ctrlKey: true, shiftKey: true })), 'emergency-stop');
});

test('near misses are not the stop: no Shift, an Alt too, or a held key repeating', () => {
  assert.equal(shortcutOf(press({ key: 'x', code: 'KeyX', ctrlKey: true })), null);
  assert.equal(shortcutOf(press({ key: 'X', code: 'KeyX', shiftKey: true })), null);
  assert.equal(shortcutOf(press({ key: 'X', code: 'KeyX', ctrlKey: true, shiftKey: true, altKey: true })), null);
  assert.equal(shortcutOf(press({ key: 'X', code: 'KeyX', ctrlKey: true, shiftKey: true, repeat: true })), null);
});

test('? opens the sheet, except while typing in a field or with a modifier', () => {
  assert.equal(shortcutOf(press({ key: '?', code: 'Slash', shiftKey: true })), 'shortcut-sheet');
  assert.equal(shortcutOf(press({ key: '?', code: 'Slash', shiftKey: true, editable: true })), null);
  assert.equal(shortcutOf(press({ key: '?', code: 'Slash', shiftKey: true, ctrlKey: true })), null);
});

test('/ goes to a job, except while typing in a field or with a modifier', () => {
  assert.equal(shortcutOf(press({ key: '/', code: 'Slash' })), 'go-to-job');
  assert.equal(shortcutOf(press({ key: '/', code: 'Slash', editable: true })), null);
  assert.equal(shortcutOf(press({ key: '/', code: 'Slash', ctrlKey: true })), null);
  assert.equal(keysLabel('go-to-job', true), '/');
  assert.equal(ariaKeys('go-to-job'), '/');
});

test('the keys are written for the platform, and told to assistive technology for both', () => {
  assert.equal(keysLabel('emergency-stop', false), 'Ctrl+Shift+X');
  assert.equal(keysLabel('emergency-stop', true), '⌘⇧X');
  assert.equal(keysLabel('shortcut-sheet', true), '?');
  assert.equal(ariaKeys('emergency-stop'), 'Control+Shift+X Meta+Shift+X');
  assert.equal(isApplePlatform('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)'), true);
  assert.equal(isApplePlatform('Mozilla/5.0 (X11; Linux x86_64)'), false);
});

test('every shortcut the sheet lists is one the matcher knows', () => {
  assert.deepEqual(SHORTCUTS.map((s) => s.id).sort(), ['emergency-stop', 'go-to-job', 'shortcut-sheet']);
});
