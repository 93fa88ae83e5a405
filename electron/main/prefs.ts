import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { locationWithoutPasswords } from '../store/location.ts';

/**
 * What the desktop app remembers between launches. Never a password: a connection is kept with its
 * password removed (PostgreSQL then takes it from PGPASSWORD or ~/.pgpass). Local execution on a shared
 * database is not remembered either: each launch starts observing only, on purpose.
 */
export const Prefs = z.object({
  bounds: z
    .object({ x: z.number().int().optional(), y: z.number().int().optional(), width: z.number().int().min(400).max(20000), height: z.number().int().min(300).max(20000) })
    .optional(),
  maximized: z.boolean().optional(),
  connection: z.string().min(1).max(4096).optional(),
});
export type Prefs = z.infer<typeof Prefs>;

export function prefsPath(userDataDir: string): string {
  return join(userDataDir, 'opsdeck-window.json');
}

/** A missing or damaged file means defaults, never a failed launch. */
export async function loadPrefs(path: string): Promise<Prefs> {
  try {
    const parsed = Prefs.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export async function savePrefs(path: string, prefs: Prefs): Promise<void> {
  const clean = Prefs.parse({ ...prefs, connection: prefs.connection === undefined ? undefined : locationWithoutPasswords(prefs.connection) });
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(clean, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
