import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_DIR = fileURLToPath(new URL('../../node_modules/electron', import.meta.url));

/** The installed Electron executable, or null when its download never happened (install scripts are off here). */
export function electronBinary(): string | null {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ELECTRON_DIR, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** `test('title'` of every spec, so a skipped project can still say by name what it did not run. */
export function specTitles(dir: string, files: string[]): string[] {
  const titles: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/\btest\(\s*'([^']+)'/g)) titles.push(`${file} › ${match[1]}`);
  }
  return titles;
}
