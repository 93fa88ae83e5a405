import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { DEMO_ENDPOINT_PORT } from '../api/demoEndpoint.ts';
import { DEMO_REGISTRY_PATH } from '../api/handlers/demo.ts';
import { loadRegistryFile } from '../config/load.ts';
import { DEFAULT_PORT } from '../server/serve.ts';
import { openStore } from '../store/open.ts';
import { DEFAULT_API_PORT } from './commands/api.ts';
import { BIN, opsdeck } from './testing/opsdeck.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Listens on `port` once whoever holds it now (another test's demo) lets it go. */
async function holdPort(server: Server, port: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return;
    } catch (error) {
      if (tries > 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const Demo = z.object({ enqueued: z.number(), endpoint: z.string().nullable(), endpoint_problem: z.string().nullable() });

describe('opsdeck demo', () => {
  it("calls an endpoint on a port of its own: neither the console's, nor the api's, which README runs beside it", async () => {
    assert.notEqual(DEMO_ENDPOINT_PORT, DEFAULT_API_PORT);
    assert.notEqual(DEMO_ENDPOINT_PORT, DEFAULT_PORT);
    const { registry } = await loadRegistryFile(DEMO_REGISTRY_PATH, {});
    const localApi = registry?.services.find((s) => s.name === 'local_api');
    assert.equal(localApi?.execution_type === 'http' ? localApi.runner_config.base_url : null, `http://127.0.0.1:${DEMO_ENDPOINT_PORT}`);
  });

  it("runs its local_api jobs to completion while README's opsdeck api serves on its default port", async () => {
    const api = spawn(process.execPath, [BIN, 'api', '--db', join(dir, 'api.db')], { env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let apiErr = '';
    api.stderr.setEncoding('utf8').on('data', (d: string) => (apiErr += d));
    const closed = once(api, 'close');
    try {
      const lines = createInterface({ input: api.stdout })[Symbol.asyncIterator]();
      assert.match(String((await lines.next()).value), new RegExp(`^opsdeck api: http://127\\.0\\.0\\.1:${DEFAULT_API_PORT}/v1`), apiErr);
      assert.match(String((await lines.next()).value), /registry: none/);
      assert.equal(
        String((await lines.next()).value),
        "no registry loaded: pass --registry FILE (or set OPSDECK_REGISTRY); the API's answers about services, workflows, rate limits and breaker settings say none is known",
      );
      const db = join(dir, 'beside-api.db');
      const run = await opsdeck(['demo', '--jobs', '13', '--db', db, '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '', 'nothing to warn of');
      assert.equal(Demo.parse(JSON.parse(run.stdout)).endpoint_problem, null);
      const store = await openStore(db);
      try {
        const jobs = (await store.listJobs({ service: 'local_api' }, { limit: 50, after: null })).items;
        assert.equal(jobs.length, 3);
        assert.deepEqual(jobs.map((j) => j.status), ['completed', 'completed', 'completed'], jobs.map((j) => j.error_message).join('; '));
      } finally {
        await store.close();
      }
    } finally {
      api.kill('SIGTERM');
      await closed;
    }
  });

  it('says loudly, on stderr, when another program holds its port: every local_api job would fail there', async () => {
    const other = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await holdPort(other, DEMO_ENDPOINT_PORT);
    try {
      const run = await opsdeck(['demo', '--jobs', '1', '--db', join(dir, 'taken.db')]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stderr.trim(),
        `opsdeck: warning: port ${DEMO_ENDPOINT_PORT} is taken by another program (it answered HTTP 404): the demo's local_api jobs call it instead of the demo's endpoint, and fail there; stop what listens on ${DEMO_ENDPOINT_PORT} (an opsdeck api started with --port ${DEMO_ENDPOINT_PORT}?), then load the demo again`,
      );
    } finally {
      other.close();
    }
  });

  it('names the worker that runs what it left pending, with its store and registry, and that worker serves every service of them', async () => {
    const db = join(dir, 'left.db');
    const run = await opsdeck(['demo', '--jobs', '100', '--db', db]);
    assert.equal(run.code, 0, run.stderr);
    const hint = /^\d+ job\(s\) wait for a later retry or an open breaker; (.*) runs them$/m.exec(run.stdout);
    assert.ok(hint, run.stdout);
    const command = hint[1] ?? '';
    assert.equal(command, `opsdeck worker --db ${db} --registry ${DEMO_REGISTRY_PATH}`);
    const [, ...args] = command.split(' ');
    // Run as printed until its heartbeat names the services it runs: every service of the jobs left waiting
    // (those wait for a retry or for an open breaker's recovery, which a test need not sit out).
    const fleet = async () => {
      const store = await openStore(db, { migrate: false, mustExist: true });
      try {
        return { pending: Object.keys(await store.pendingByService()), workers: await store.listWorkers(60_000) };
      } finally {
        await store.close();
      }
    };
    const worker = spawn(process.execPath, [BIN, ...args, '--log-format', 'text'], {
      env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = once(worker, 'close');
    let seen = await fleet();
    const serves = () => seen.workers.some((w) => !w.lost && w.state === 'running' && seen.pending.every((service) => w.services?.includes(service)));
    try {
      for (let i = 0; i < 120 && !serves(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await fleet();
      }
    } finally {
      worker.kill('SIGTERM');
      await closed;
    }
    assert.ok(seen.pending.length > 0, 'the demo left jobs waiting');
    assert.ok(serves(), `no live worker serves ${seen.pending.join(', ')}: ${JSON.stringify(seen.workers)} ${output}`);
    assert.doesNotMatch(output, /no registry loaded/);
    assert.equal(worker.exitCode, 0, output);
  });

  it("fires the example registry's failure-spike rule, as the registry says it does", async () => {
    const db = join(dir, 'spike.db');
    const run = await opsdeck(['demo', '--db', db, '--json']);
    assert.equal(run.code, 0, run.stderr);
    // A worker evaluates the rules (every second here), as the console's host does every 15 s.
    const worker = spawn(process.execPath, [BIN, 'worker', '--db', db, '--registry', DEMO_REGISTRY_PATH], {
      env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, OPSDECK_ALERTS_EVERY: '1s', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const closed = once(worker, 'close');
    const Alerts = z.object({ alerts: z.array(z.object({ name: z.string(), state: z.object({ firing: z.boolean(), summary: z.string() }).nullable() })) });
    let spike: z.infer<typeof Alerts>['alerts'][number] | undefined;
    try {
      for (let i = 0; i < 80 && !spike?.state; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const listed = await opsdeck(['alerts', '--db', db, '--registry', DEMO_REGISTRY_PATH, '--json']);
        spike = Alerts.parse(JSON.parse(listed.stdout)).alerts.find((a) => a.name === 'failure-spike');
      }
    } finally {
      worker.kill('SIGTERM');
      await closed;
    }
    assert.equal(spike?.state?.firing, true, spike?.state?.summary ?? 'never evaluated');
  });
});
