import { parseArgs } from 'node:util';

export interface DesktopArgs {
  db?: string;
  registry?: string;
}

/**
 * The desktop app's own flags among whatever Electron and Chromium put on the command line; anything
 * else is left alone.
 */
export function parseDesktopArgs(argv: string[]): DesktopArgs {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, registry: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const pick = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  return { db: pick(values.db), registry: pick(values.registry) };
}
