import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isKnownErrorClass } from '../../shared/errorClass.ts';

const electron = path.resolve(import.meta.dirname, '..');
/** Where attempts get their failure class: the runners, the engine's own failures, the store's. */
const WRITERS = ['runners', 'engine', 'store'];

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !/[/\\](testing|contract)[/\\]/.test(file));
}

test('every failure class the code writes is one the CLI knows, so an empty --class answer never blames a real class', async () => {
  const written = new Set<string>();
  for (const dir of WRITERS) {
    for (const file of await sources(path.join(electron, dir))) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        const at = line.indexOf('error_class:');
        if (at < 0) continue;
        // The value written: up to the property's end, its quoted classes, not the ones it is compared with.
        const value = line.slice(at).split(',')[0] ?? '';
        for (const [, literal] of value.matchAll(/(?<![=!]==\s)'([a-z0-9_]+)'/g)) if (literal) written.add(literal);
        for (const [, prefix] of value.matchAll(/`([a-z]+)_\$\{/g)) if (prefix) written.add(`${prefix}_503`);
      }
    }
  }
  assert.ok(written.has('function_crash') && written.has('lambda_503') && written.has('runner'), [...written].join(', '));
  assert.deepEqual([...written].filter((c) => !isKnownErrorClass(c)), []);
});
