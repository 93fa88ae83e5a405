import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function mtime(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest modification time under the given files and folders (tests and node_modules left out). */
async function newestInput(paths: string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) continue;
    if (!info.isDirectory()) {
      newest = Math.max(newest, info.mtimeMs);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
      const full = join(entry.parentPath, entry.name);
      if (full.includes(`${join('/', 'node_modules', '/')}`)) continue;
      newest = Math.max(newest, (await stat(full)).mtimeMs);
    }
  }
  return newest;
}

/** True when every output exists and is newer than every input: a build step that may be skipped. */
export async function upToDate(outputs: string[], inputs: string[]): Promise<boolean> {
  let oldestOutput = Infinity;
  for (const output of outputs) {
    const time = await mtime(output);
    if (time === null) return false;
    oldestOutput = Math.min(oldestOutput, time);
  }
  return oldestOutput > (await newestInput(inputs));
}
