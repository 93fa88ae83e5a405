import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { expect, test } from './fixtures.ts';
import { ENV, requireEnv } from './support/env.ts';
import { walkThroughWorkflow } from './support/workflowWalk.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** A headless worker on the console's PostgreSQL database: the fleet's second, beside the console's engine. */
function startWorker(db: string): ChildProcess {
  const child = spawn(process.execPath, ['bin/opsdeck.js', 'worker', '--db', db, '--registry', requireEnv(ENV.registry), '--concurrency', '2'], {
    cwd: REPO,
    env: { ...process.env, OPSDECK_REGISTRY: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return child;
}

/** SIGTERM, then SIGKILL if it has not stopped within a few seconds. */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

test('on PostgreSQL with two workers: a workflow blocked by a failed task finishes after a retry from the console', async ({ opsdeck }) => {
  const settings = z.object({ connection: z.string(), dialect: z.string() }).parse(await opsdeck.call('settings.get', {}));
  expect(settings.dialect).toBe('postgres');
  const worker = startWorker(settings.connection);
  const lines: string[] = [];
  for (const stream of [worker.stdout, worker.stderr]) if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  try {
    await expect.poll(async () => z.object({ workers: z.array(z.object({ lost: z.boolean() })) }).parse(await opsdeck.call('workers.list', {})).workers.filter((w) => !w.lost).length, {
      message: `the second worker registers (its output: ${lines.slice(-5).join(' | ')})`,
    }).toBeGreaterThanOrEqual(2);
    await walkThroughWorkflow(opsdeck, 'workflow-postgres');
  } finally {
    await stopWorker(worker);
  }
});
