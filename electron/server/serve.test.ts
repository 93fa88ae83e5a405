import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { enqueueOne } from '../engine/testing/harness.ts';
import { openStore } from '../store/open.ts';
import { rawRequest } from './testing/http.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** `opsdeck serve` in a child process of its own, as a terminal starts it. */
function serveChild(options: Record<string, unknown>) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `import { runServe } from './electron/server/serve.ts'; await runServe(${JSON.stringify(options)});`],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPSDECK_REGISTRY: '' } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
  return { child, exited, stderr: () => stderr, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

describe('opsdeck serve', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-serve-'));
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>opsdeck</title>');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the URL first, serves the API with the real runtime, and drains on SIGTERM', async () => {
    const db = join(dir, 'serve.db');
    const { child, exited, stderr, lines: iterator } = serveChild({ db, port: 0, staticDir: join(dir, 'renderer'), registryPath: join(repoRoot, 'examples', 'registry.yaml') });
    try {
      const first = await iterator.next();
      assert.equal(first.done, false, stderr());
      const match = /^opsdeck console: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)$/.exec(String(first.value));
      assert.ok(match, `first line was ${String(first.value)}`);
      const second = await iterator.next();
      assert.match(String(second.value), /store: .*serve\.db \(sqlite\), registry: .*registry\.yaml, local execution: on/);
      const port = Number(match[1]);
      const token = match[2] ?? '';

      const visit = await rawRequest({ port, path: `/?token=${token}` });
      assert.equal(visit.status, 200);
      const auth = { authorization: `Bearer ${token}` };
      const stats = await rawRequest({ port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...auth, 'content-type': 'application/json' } });
      assert.equal(stats.status, 200, stats.body);
      const control = z.object({ result: z.object({ emergency_stop: z.object({ engaged: z.boolean() }) }) }).parse(JSON.parse(stats.body));
      assert.equal(control.result.emergency_stop.engaged, false);
      const bad = await rawRequest({ port, path: '/api/call/overview.series', method: 'POST', body: '{"window":"2y"}', headers: auth });
      assert.equal(bad.status, 400);
      const registry = await rawRequest({ port, path: '/api/call/registry.get', method: 'POST', body: '{}', headers: auth });
      const view = z.object({ result: z.object({ services: z.array(z.unknown()) }) }).parse(JSON.parse(registry.body));
      assert.ok(view.result.services.length > 0);

      // Started with a registry file, it loads it again on SIGHUP (systemctl reload) and keeps serving.
      child.kill('SIGHUP');
      for (let i = 0; i < 200 && !/SIGHUP: registry reloaded/.test(stderr()); i++) await new Promise((r) => setTimeout(r, 25));
      assert.match(stderr(), new RegExp(`SIGHUP: registry reloaded from [^"]*registry\\.yaml: ${view.result.services.length} service\\(s\\)`));
      assert.equal((await rawRequest({ port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...auth, 'content-type': 'application/json' } })).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr());
    assert.match(stderr(), /stopping/);
    assert.ok((await stat(db)).isFile());
  });

  it('runs no job before the port is its own, nor under a registry that did not load', async () => {
    const db = join(dir, 'held.db');
    const store = await openStore(db);
    const id = await enqueueOne(store, 'healthy_noop', 'noop', 3);
    await store.close();
    const registryPath = join(repoRoot, 'examples', 'registry.yaml');

    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = z.custom<AddressInfo>((a) => typeof a === 'object' && a !== null).parse(holder.address());
    try {
      const busy = serveChild({ db, port, staticDir: join(dir, 'renderer'), registryPath });
      assert.notEqual(await busy.exited, 0);
      assert.match(busy.stderr(), /already in use/);
    } finally {
      holder.close();
    }

    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'services:\n  - name: healthy_noop\n    execution_type: [\n');
    const refused = serveChild({ db, port: 0, staticDir: join(dir, 'renderer'), registryPath: broken });
    try {
      assert.match(String((await refused.lines.next()).value), /^opsdeck console: /);
      assert.match(String((await refused.lines.next()).value), /local execution: off/);
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    } finally {
      refused.child.kill('SIGTERM');
    }
    assert.equal(await refused.exited, 0, refused.stderr());
    assert.match(refused.stderr(), /did not load .*No job runs here until one loads/);

    const after = await openStore(db);
    try {
      assert.equal((await after.getJob(id))?.status, 'pending');
      assert.deepEqual(await after.listAttempts(id), [], 'never claimed');
    } finally {
      await after.close();
    }
  });
  it('with a memory (npm start), loads again at start the registry last loaded on the store, and says so when it no longer loads', async () => {
    const db = join(dir, 'remembered.db');
    const memory = join(dir, 'data');
    const registryPath = join(dir, 'nap.yaml');
    await writeFile(registryPath, 'services:\n  - name: nap\n    execution_type: noop\n');
    const options = { db, port: 0, staticDir: join(dir, 'renderer'), rememberRegistryIn: memory };

    const first = serveChild(options);
    try {
      const url = String((await first.lines.next()).value);
      assert.match(String((await first.lines.next()).value), /registry: none \(load one from Settings, or pass --registry\)/);
      const [, port = '', token = ''] = /127\.0\.0\.1:(\d+)\/\?token=(\S+)$/.exec(url) ?? [];
      const loaded = await rawRequest({ port: Number(port), path: '/api/call/registry.load', method: 'POST', body: JSON.stringify({ path: registryPath }), headers: { authorization: `Bearer ${token}` } });
      assert.equal(loaded.status, 200, loaded.body);
    } finally {
      first.child.kill('SIGTERM');
    }
    assert.equal(await first.exited, 0, first.stderr());
    const store = await openStore(db);
    const id = await enqueueOne(store, 'nap', 'noop', 1);
    await store.close();

    const again = serveChild(options);
    try {
      await again.lines.next();
      assert.match(String((await again.lines.next()).value), new RegExp(`registry: ${registryPath.replace(/[.]/g, '\\.')} \\(the one last loaded on this store\\), local execution: on`));
      let status: string | undefined;
      for (let i = 0; i < 200 && status !== 'completed'; i++) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
        const reader = await openStore(db);
        status = (await reader.getJob(id))?.status;
        await reader.close();
      }
      assert.equal(status, 'completed', 'the job the remembered registry has a service for ran');
    } finally {
      again.child.kill('SIGTERM');
    }
    assert.equal(await again.exited, 0, again.stderr());

    await rm(registryPath);
    const gone = serveChild(options);
    try {
      await gone.lines.next();
      assert.match(
        String((await gone.lines.next()).value),
        new RegExp(`registry: none: the one last loaded on this store, ${registryPath.replace(/[.]/g, '\\.')}, no longer loads \\(file not found: [^)]*nap\\.yaml\\), local execution: off`),
      );
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    } finally {
      gone.child.kill('SIGTERM');
    }
    assert.equal(await gone.exited, 0, gone.stderr());
    assert.match(gone.stderr(), /the registry last loaded on this store, .*nap\.yaml, no longer loads \(1 problem\(s\)\); the console lists them\. No job runs here until one loads/);
  });
});
