import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/opsdeck.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real command as an operator types it: a child process of this Node. No store, registry or colors
 * come from the test's own environment (nor a DATABASE_URL, which each command would warn of); `env` adds
 * to it (undefined removes a variable).
 */
export function opsdeck(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, DATABASE_URL: undefined, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The output of a run that must succeed; its stderr in the failure message when it did not. */
export function ok(run: Run): string {
  assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
  return run.stdout;
}
