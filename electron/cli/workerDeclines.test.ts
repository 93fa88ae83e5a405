import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkerInfo } from '../../shared/domain.ts';
import { enqueueOne, jobOf, tempDir, waitFor, waitForStatus } from '../engine/testing/harness.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';
import { startWorker } from './testing/workerChild.ts';

/** A Docker socket that takes each connection and never answers: a daemon hung, its ping slower than a worker's start waits. */
async function hungDaemon(socketPath: string): Promise<{ connections: () => number; close(): Promise<void> }> {
  const held = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    connections: () => count,
    close: async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const KEY = 'DECLINES_BILLING_KEY';

/**
 * A worker lacking the variable the billing service's jobs read, beside a Docker daemon that hangs: its
 * first look at what it cannot run takes longer than its start waits, and each reload swaps the registry.
 * Neither may let a claim take the billing jobs it leaves to other workers: each would be a dead letter.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a worker leaves what it cannot run alone, whatever its looks are doing (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let pg: TestDatabase | null = null;
    let url: string;
    let store: Store;
    let registryFile: string;
    let daemon: Awaited<ReturnType<typeof hungDaemon>>;
    const common = () => ['--db', url, '--registry', registryFile];

    before(async () => {
      dir = await tempDir();
      if (kind === 'postgres') {
        pg = await createTestDatabase({ migrated: true });
        url = pg.url;
      } else {
        url = path.join(dir.dir, 'declines.db');
        ok(await opsdeck(['migrate', '--db', url]));
      }
      store = await openStore(url);
      const socket = path.join(dir.dir, 'hung.sock');
      daemon = await hungDaemon(socket);
      registryFile = path.join(dir.dir, 'registry.yaml');
      await writeFile(
        registryFile,
        [
          'services:',
          '  - name: fine',
          '    execution_type: noop',
          '  - name: billing',
          '    execution_type: shell',
          '    runner_config:',
          '      command: ["/bin/echo", "billed"]',
          `      env: [${KEY}]`,
          '    security_policy:',
          '      allowed_commands: ["/bin/echo"]',
          '    retry_config: { max_retries: 0 }',
          '  - name: thumbs',
          '    execution_type: docker',
          '    runner_config:',
          '      image: alpine:3',
          `      socket_path: ${socket}`,
          '  - name: posters',
          '    execution_type: docker',
          '    runner_config:',
          '      image: alpine:3',
          `      socket_path: ${socket}`,
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      await store.close();
      await daemon.close();
      await pg?.drop();
      await dir.cleanup();
    });

    const billingUntouched = async (ids: number[]) => {
      for (const id of ids) {
        const job = await jobOf(store, id);
        assert.deepEqual([job.status, job.attempts], ['pending', 0], `billing job ${id}: ${job.error_message ?? ''}`);
      }
    };

    test('slow first look, then SIGHUP: no billing job is claimed; a slow daemon is said, not declined; health-check dispatch fails naming it', async () => {
      const billing = await Promise.all(Array.from({ length: 20 }, () => enqueueOne(store, 'billing', 'shell', 1)));
      const first = await enqueueOne(store, 'fine', 'noop', 1);
      const worker = startWorker([...common(), '--name', 'lacking', '--log-format', 'json'], { [KEY]: undefined });
      try {
        await waitForStatus(store, first, 'completed');
        await billingUntouched(billing);

        const lacks = await waitFor('the first look on the worker row', async () => {
          const [row] = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w));
          return row?.cannot_run ?? undefined;
        });
        const byService = new Map(lacks.services.map((s) => [s.service, s]));
        assert.deepEqual(byService.get('billing'), { service: 'billing', execution_type: 'shell', unset: [KEY], docker: null, other: [], declined: true });
        const thumbs = byService.get('thumbs');
        assert.ok(thumbs?.docker, 'the hung daemon is said');
        assert.equal(thumbs.declined, false, 'a daemon that is slow to answer is not certainly away: its jobs are still claimed');
        assert.equal(daemon.connections(), 1, 'one ping for the socket its two services share, per look');

        const health = await opsdeck(['health-check', 'dispatch', ...common()]);
        assert.equal(health.code, 1, health.stdout);
        const dispatch = health.stdout.replaceAll(/\s+/g, ' ');
        assert.match(
          dispatch,
          new RegExp(
            `service billing \\(20 due\\) cannot run on the only live worker that takes queue default: environment variable ${KEY} is not set on worker lacking-\\S+; ` +
              'none of them claims its jobs, which wait for a worker that can run them \\(set the variables where the workers run, then restart them\\); the oldest due since',
          ),
        );
        // One sentence: no bracket closed and another opened beside it, nor one opened inside another at once.
        assert.doesNotMatch(dispatch, /\)\s*\(|\(\(/);

        worker.child.kill('SIGHUP');
        await waitFor('the reload', () => worker.lines.find((l) => l.msg.startsWith('SIGHUP: registry reloaded')));
        const later = await enqueueOne(store, 'fine', 'noop', 1);
        await waitForStatus(store, later, 'completed');
        // Claims go on after the reload while its look waits on the hung daemon: several rounds of them.
        await new Promise((r) => setTimeout(r, 1000));
        await billingUntouched(billing);
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.stderr());
      }
    });

    test('worker --until-empty says the due jobs it left because it cannot run their service', async () => {
      const run = await opsdeck(['worker', '--until-empty', '--log-format', 'text', ...common()], { [KEY]: undefined });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /stopped with 20 due job\(s\) still pending\. 20 of service billing left to other workers: this worker cannot run it \(opsdeck workers says why\)\. opsdeck job ID says why/, run.stdout);
    });
  });
}
