import { spawn } from 'node:child_process';
import { z } from 'zod';
import { BIN } from './opsdeck.ts';

export const LogLine = z.object({ level: z.string(), msg: z.string() }).loose();
export type LogLine = z.infer<typeof LogLine>;

/**
 * `opsdeck worker` as systemd runs it: stdout a pipe, so JSON lines, each parsed as it comes. As `opsdeck()`
 * runs a command, nothing of the store, registry or colors comes from the test's environment; `env` adds to
 * it (undefined removes a variable).
 */
export function startWorker(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], {
    env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, DATABASE_URL: undefined, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part !== '') lines.push(LogLine.parse(JSON.parse(part)));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, lines, exited, stderr: () => stderr };
}
