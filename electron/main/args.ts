import { parseArgs } from 'node:util';

export interface DesktopArgs {
  db?: string;
  registry?: string;
  /** --log-level: error, warn, info or debug (checked where the logger is made). */
  logLevel?: string;
}

/**
 * The desktop app's own flags among whatever Electron and Chromium put on the command line; anything
 * else is left alone.
 */
export function parseDesktopArgs(argv: string[]): DesktopArgs {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, registry: { type: 'string' }, 'log-level': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const pick = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  return { db: pick(values.db), registry: pick(values.registry), logLevel: pick(values['log-level']) };
}
