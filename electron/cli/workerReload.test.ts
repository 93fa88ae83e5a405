import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { BIN, ok, opsdeck } from './testing/opsdeck.ts';
import { startWorker } from './testing/workerChild.ts';

const registryOf = (names: string[]) => `services:\n${names.map((n) => `  - name: ${n}\n    execution_type: noop\n`).join('')}`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('opsdeck worker on SIGHUP', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-reload-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads its registry file and declares the new services; a file that does not load is refused, the old registry kept', async () => {
    const db = join(dir, 'reload.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, registryOf(['billing', 'reports']));
    ok(await opsdeck(['migrate', '--db', db]));
    const worker = startWorker(['--db', db, '--registry', registry]);
    const store: Store = await openStore(db);
    try {
      await waitFor('the worker to start', () => worker.lines.find((l) => l.msg === 'worker started'));
      const declared = async () => (await store.listWorkers(60_000)).map((w) => w.services?.join(','));
      assert.deepEqual(await declared(), ['billing,reports']);

      await writeFile(registry, registryOf(['billing', 'reports', 'exports']));
      worker.child.kill('SIGHUP');
      const loaded = await waitFor('the reload to be logged', () => worker.lines.find((l) => l.msg.startsWith('SIGHUP: registry reloaded')));
      assert.equal(loaded.level, 'info');
      assert.equal(loaded.msg, `SIGHUP: registry reloaded from ${registry}: 3 service(s)`);
      await waitFor('the new services to be declared at a heartbeat', async () => ((await declared())[0] === 'billing,exports,reports' ? true : undefined));

      await writeFile(registry, 'services:\n  - name: broken\n    execution_type: teleport\n');
      worker.child.kill('SIGHUP');
      const refused = await waitFor('the refusal to be logged', () => worker.lines.find((l) => l.level === 'error' && l.msg.startsWith('SIGHUP:')));
      assert.match(refused.msg, /registry\.yaml has 1 problem\(s\); the registry in use is unchanged; jobs keep running under the registry in use \(3 service\(s\)\)$/);
      const problem = await waitFor('the problem to be logged', () => worker.lines.find((l) => l.level === 'error' && l.msg.startsWith(`${registry}:3:`)));
      assert.match(problem.msg, /execution_type/);
      // Audited as the successful reload was, with what was wrong.
      const audited = async (action: string) => (await store.listAudit({ action }, { limit: 5 })).items;
      assert.deepEqual((await audited('registry.load')).map((a) => a.target), [registry]);
      const [row] = await audited('registry.load_refused');
      assert.equal(row?.target, registry);
      assert.equal(row?.details?.problems, 1);
      const Problems = z.array(z.object({ path: z.string(), line: z.number().nullable(), message: z.string() }));
      const [first] = Problems.parse(row?.details?.first_problems);
      assert.deepEqual([first?.path, first?.line], ['services[0].execution_type', 3]);
      assert.match(first?.message ?? '', /unknown execution type "teleport"/);
      // A heartbeat later, the old services are still the ones declared, and the worker still runs.
      await new Promise((r) => setTimeout(r, 2500));
      assert.deepEqual(await declared(), ['billing,exports,reports']);
      assert.equal(worker.child.exitCode, null, worker.stderr());
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      await store.close();
    }
  });

  it('started by hand in a terminal, it takes SIGHUP as the terminal closing: it drains and stops', async () => {
    const db = join(dir, 'terminal.db');
    const registry = join(dir, 'terminal.yaml');
    await writeFile(registry, registryOf(['billing']));
    ok(await opsdeck(['migrate', '--db', db]));
    // util-linux script gives the worker a terminal of its own, as a shell would.
    const command = [process.execPath, BIN, 'worker', '--db', db, '--registry', registry].map((a) => `'${a}'`).join(' ');
    const term = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    term.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => term.on('close', resolve));
    const store: Store = await openStore(db);
    try {
      const pid = await waitFor('the worker to register', async () => (await store.listWorkers(60_000))[0]?.pid);
      process.kill(pid, 'SIGHUP');
      await waitFor('the worker to stop', async () => ((await store.listWorkers(60_000))[0]?.state === 'stopped' ? true : undefined));
      assert.equal(await exited, 0, output);
      assert.match(output, /SIGHUP: draining/);
      assert.doesNotMatch(output, /registry reloaded/);
    } finally {
      term.kill('SIGKILL');
      await store.close();
    }
  });
});
