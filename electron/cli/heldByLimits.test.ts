import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { BIN, opsdeck, ok } from './testing/opsdeck.ts';

const nap = (name: string, limit: string) => [
  `  - name: ${name}`,
  '    execution_type: shell',
  '    runner_config: { command: ["/bin/sleep", "60"] }',
  '    security_policy: { allowed_commands: ["/bin/sleep"] }',
  `    ${limit}`,
];
const REGISTRY = ['services:', ...nap('capped', 'concurrency: 1'), ...nap('metered', 'rate_limit: { limit: 1, per: 1h }'), ''].join('\n');

let dir = '';
let registry = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-limits-'));
  registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asks until `read` answers true, every 100 ms, for at most 30 s. */
async function until(what: string, read: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await read()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`gave up waiting for ${what}`);
}

/** The waiting reasons `opsdeck job` prints for a pending job. */
function waitingLines(trace: string): string[] {
  return [...trace.matchAll(/^waiting: +(.*)$/gm)].map((m) => m[1] ?? '');
}

/** The dispatch check's detail, which must be a warning. */
function warned(check: string): string {
  const detail = /^dispatch +WARN +(.*)$/m.exec(check)?.[1];
  assert.ok(detail !== undefined, check);
  return detail;
}

const Workers = z.object({ workers: z.array(z.object({ in_flight: z.number() })) });

/**
 * Two jobs of `service` with a worker of one slot: the first runs, the second is held by the service's own
 * limit. Answers the dispatch check's line and the second job's trace.
 */
async function secondJobHeld(service: string): Promise<{ dispatch: string; job: string }> {
  const common = ['--db', join(dir, `${service}.db`), '--registry', registry];
  ok(await opsdeck(['migrate', ...common]));
  const worker = spawn(process.execPath, [BIN, 'worker', '--concurrency', '1', '--grace', '1', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => worker.on('close', resolve));
  try {
    ok(await opsdeck(['enqueue', service, '--identifier', 'first', ...common]));
    await until('the worker to report its one slot in use', async () => Workers.parse(JSON.parse(ok(await opsdeck(['workers', '--json', ...common])))).workers[0]?.in_flight === 1);
    ok(await opsdeck(['enqueue', service, '--identifier', 'second', ...common]));
    const dispatch = await opsdeck(['health-check', 'dispatch', ...common]);
    assert.equal(dispatch.code, 0, dispatch.stderr);
    return { dispatch: dispatch.stdout, job: ok(await opsdeck(['job', 'second', ...common])) };
  } finally {
    worker.kill('SIGTERM');
    await exited;
  }
}

describe('due jobs their service holds are not said to wait for capacity (a real worker, SQLite)', { concurrency: 2 }, () => {
  it("a service at the registry's concurrency: the dispatch check says so in the job's own words, not more capacity", async () => {
    const { dispatch, job } = await secondJobHeld('capped');
    const reason = "service capped runs its concurrency of 1 (1 running on every worker together, the registry's concurrency: 1)";
    assert.deepEqual(waitingLines(job), [`${reason}: it waits for one of them to finish`]);
    assert.equal(warned(dispatch), `1 job(s) due: 1 due job of service capped waits: ${reason}`);
    assert.doesNotMatch(dispatch, /free slot|more capacity/);
  });

  it('a spent rate limit: the dispatch check names it, not more capacity', async () => {
    const { dispatch, job } = await secondJobHeld('metered');
    assert.deepEqual(waitingLines(job), ['rate limit reached: 1 of 1 per 1h']);
    assert.equal(warned(dispatch), '1 job(s) due: 1 due job of service metered waits: rate limit reached: 1 of 1 per 1h');
    assert.doesNotMatch(dispatch, /free slot|more capacity/);
  });
});
