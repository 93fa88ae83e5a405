import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { RegistryHolder } from '../config/holder.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { dispatch } from './dispatch.ts';
import { createRuntime } from './runtime.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

const SECRET = 'sk_live_9c2e4a7f1b3d5h6k';
const URL_PASSWORD = 'pw-in-a-url-1234';

describe('support.diagnose and support.bundle', () => {
  let t: TestContext;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-'));
    t = await createTestContext();
    const registryFile = join(dir, 'registry.yaml');
    await writeFile(
      registryFile,
      [
        'services:',
        '  - name: payments',
        '    execution_type: http',
        '    runner_config:',
        '      base_url: "http://127.0.0.1:1"',
        '      auth_type: bearer',
        '      auth_config: { token_env_var: PAYMENTS_TOKEN }',
        '',
      ].join('\n'),
    );
    const env = { PAYMENTS_TOKEN: SECRET, OPSDECK_DB: `postgres://ops:${URL_PASSWORD}@db.internal/ops` };
    const registry = new RegistryHolder(env);
    assert.ok((await registry.loadFile(registryFile)).ok);
    t.ctx.registry = registry;
    t.ctx.env = env;
    const logs = join(dir, 'logs');
    await mkdir(logs);
    await writeFile(join(logs, 'opsdeck.log'), `${JSON.stringify({ level: 'warn', msg: `token ${SECRET} refused` })}\n`);
    t.ctx.settings.logFile = join(logs, 'opsdeck.log');
    await t.deadLetters('payments', 3, `401 for bearer ${SECRET} from ${URL_PASSWORD}`);
  });

  after(async () => {
    await t.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('diagnose: versions, the store, health and the top error patterns', async () => {
    const res = await dispatch('support.diagnose', {}, t.ctx);
    assert.ok(res.ok, JSON.stringify(res));
    const d = calls['support.diagnose'].output.parse(res.result);
    assert.equal(d.versions.node, process.versions.node);
    assert.equal(d.store.dialect, 'sqlite');
    assert.equal(d.store.location, t.store.location);
    assert.ok((d.store.size_bytes ?? 0) > 0, 'the store file has a size');
    assert.ok(d.health.checks.some((c) => c.name === 'store'));
    assert.deepEqual(
      d.error_patterns.map((g) => [g.count, g.services]),
      [[3, ['payments']]],
    );
    assert.equal(d.registry?.services, 1);
    assert.equal(d.status?.dead_letters, 3);
    assert.equal(d.error_patterns[0]?.sample_error, '401 for bearer [redacted] from [redacted]', 'redacted as the CLI prints it');
  });

  it('bundle: a .tar.gz of the diagnosis, registry, failures, audit and log, with no secret value in it, and audited', async () => {
    const audited = await t.auditCount();
    const res = await dispatch('support.bundle', {}, t.ctx);
    assert.ok(res.ok, JSON.stringify(res));
    const bundle = calls['support.bundle'].output.parse(res.result);
    assert.match(bundle.file_name, /^opsdeck-support-\d{4}-\d\d-\d\dT[\d-]+Z\.tar\.gz$/);
    const archive = Buffer.from(bundle.content_base64, 'base64');
    assert.equal(archive.length, bundle.bytes);
    assert.deepEqual([...archive.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
    const file = join(dir, bundle.file_name);
    await writeFile(file, archive);
    const out = join(dir, 'extracted');
    await mkdir(out);
    await tar.x({ file, cwd: out });
    const names = (await readdir(out)).sort();
    assert.deepEqual(names, [...bundle.files].sort());
    for (const name of ['diagnose.json', 'registry.yaml', 'failures.json', 'workflows.json', 'audit.json', 'opsdeck.log', 'README.txt']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    const all = (await Promise.all(names.map((n) => readFile(join(out, n), 'utf8')))).join('\n');
    for (const value of [SECRET, URL_PASSWORD]) assert.ok(!all.includes(value), `the bundle leaks ${value}`);
    assert.match(all, /401 for bearer \[redacted\]/);
    assert.match(all, /PAYMENTS_TOKEN/);
    const failures = JSON.parse(await readFile(join(out, 'failures.json'), 'utf8')) as { jobs: unknown[]; traces: unknown[] };
    assert.equal(failures.jobs.length, 3);
    assert.equal(failures.traces.length, 3);
    assert.equal(await t.auditCount(), audited + 1);
    const [entry] = (await t.store.listAudit({ action: 'support.bundle' }, { limit: 1 })).items;
    assert.match(entry?.actor ?? '', /tester/);
    assert.deepEqual(entry?.details?.files, bundle.files);
  });
});

async function bundleText(result: unknown, dir: string): Promise<string> {
  const bundle = calls['support.bundle'].output.parse(result);
  const file = join(dir, bundle.file_name);
  await writeFile(file, Buffer.from(bundle.content_base64, 'base64'));
  const out = await mkdtemp(join(dir, 'x-'));
  await tar.x({ file, cwd: out });
  return (await Promise.all((await readdir(out)).map((n) => readFile(join(out, n), 'utf8')))).join('\n');
}

describe('what a diagnosis and a bundle must not show, however the secret came', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-secrets-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the password of the store's URL, given on the command line or in Settings rather than in the environment", async () => {
    const db = await createTestDatabase();
    const password = 'Store-Pw-4c3b2a19';
    // Trust authentication here: the server ignores the password, the URL still carries it.
    const withPassword = db.url.replace('://postgres@', `://postgres:${password}@`);
    assert.notEqual(withPassword, db.url);
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: withPassword, registryPath: null, env: {}, execute: false });
    try {
      const [queued] = await rt.ctx.store.enqueue([{ queue: 'q', service_name: 'dump', execution_type: 'noop', max_attempts: 1 }]);
      const [claimed] = await rt.ctx.store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
      assert.equal(claimed?.id, queued?.id);
      if (!claimed) return;
      const error = { message: `pg_dump: password ${password} refused`, error_class: 'test', fingerprint: 'fp-dump' };
      await rt.ctx.store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error }]);
      const diagnosed = await dispatch('support.diagnose', {}, rt.ctx);
      assert.ok(diagnosed.ok, JSON.stringify(diagnosed));
      assert.ok(!JSON.stringify(diagnosed.result).includes(password), 'the diagnosis shows the store password');
      const bundled = await dispatch('support.bundle', {}, rt.ctx);
      assert.ok(bundled.ok, JSON.stringify(bundled));
      const text = await bundleText(bundled.result, dir);
      assert.ok(!text.includes(password), 'the bundle holds the store password');
      assert.match(text, /pg_dump: password \[redacted\] refused/);
    } finally {
      await rt.close();
      await db.drop();
    }
  });

  it('the variables the registry in use names, after its file was changed without a reload', async () => {
    const t = await createTestContext();
    try {
      const secret = 'acme-bearer-5e6f7a8b9c';
      const file = join(dir, 'edited.yaml');
      await writeFile(file, 'services:\n  - name: payments\n    execution_type: http\n    runner_config:\n      base_url: "http://127.0.0.1:1"\n      auth_type: bearer\n      auth_config: { token_env_var: ACME_BEARER }\n');
      // A name that does not look secret: only the registry says it is.
      t.ctx.env = { ACME_BEARER: secret };
      t.ctx.registry = new RegistryHolder(t.ctx.env);
      assert.ok((await t.ctx.registry.loadFile(file)).ok);
      await t.deadLetters('payments', 1, `401 for bearer ${secret}`);
      await writeFile(file, 'services: []\n');
      const diagnosed = await dispatch('support.diagnose', {}, t.ctx);
      assert.ok(diagnosed.ok && !JSON.stringify(diagnosed.result).includes(secret), 'the diagnosis shows the token');
      const bundled = await dispatch('support.bundle', {}, t.ctx);
      assert.ok(bundled.ok && !(await bundleText(bundled.result, dir)).includes(secret), 'the bundle holds the token');
    } finally {
      await t.cleanup();
    }
  });

  for (const [name, value] of [
    ['SESSION_COOKIE_SECURE', 'true'],
    ['SESSION_DRIVER', 'sqlite'],
    ['AUTH_RETRIES', '1000'],
  ] as const) {
    it(`a secret-looking variable holding a word the diagnosis uses (${name}=${value}) leaves it whole and well formed`, async () => {
      const t = await createTestContext();
      try {
        t.ctx.env = { [name]: value };
        const diagnosed = await dispatch('support.diagnose', {}, t.ctx);
        assert.ok(diagnosed.ok, JSON.stringify(diagnosed));
        assert.equal(calls['support.diagnose'].output.parse(diagnosed.result).store.dialect, 'sqlite');
        const bundled = await dispatch('support.bundle', {}, t.ctx);
        assert.ok(bundled.ok, JSON.stringify(bundled));
        const bundle = calls['support.bundle'].output.parse(bundled.result);
        const file = join(dir, `${name}-${bundle.file_name}`);
        await writeFile(file, Buffer.from(bundle.content_base64, 'base64'));
        const out = await mkdtemp(join(dir, 'w-'));
        await tar.x({ file, cwd: out });
        for (const json of ['diagnose.json', 'failures.json', 'audit.json']) JSON.parse(await readFile(join(out, json), 'utf8'));
      } finally {
        await t.cleanup();
      }
    });
  }
});

describe('a store that stopped answering', () => {
  it('still gets its diagnosis and a bundle, the store check saying why; the download is not recorded and says so', async () => {
    const t = await createTestContext();
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-down-'));
    try {
      await t.store.close();
      const diagnosed = await dispatch('support.diagnose', {}, t.ctx);
      assert.ok(diagnosed.ok, JSON.stringify(diagnosed));
      const d = calls['support.diagnose'].output.parse(diagnosed.result);
      assert.equal(d.health.checks.find((c) => c.name === 'store')?.ok, false);
      assert.equal(d.status, null);
      const bundled = await dispatch('support.bundle', {}, t.ctx);
      assert.ok(bundled.ok, JSON.stringify(bundled));
      const bundle = calls['support.bundle'].output.parse(bundled.result);
      assert.equal(bundle.audited, false);
      assert.ok(bundle.files.includes('diagnose.json') && !bundle.files.includes('failures.json'), bundle.files.join(', '));
      const text = await bundleText(bundled.result, dir);
      assert.match(text, /failures\.json, workflows\.json and audit\.json are missing: the store did not answer/);
      assert.doesNotMatch(text, /^(failures|audit)\.json +recent/m, 'the README describes only the files the bundle holds');
      assert.match(text, /^diagnose\.json +versions/m);
    } finally {
      await t.cleanup().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a bundle of big failures', () => {
  it('keeps every failed job, with each long payload and text cut to 16 KiB and saying so', async () => {
    const t = await createTestContext();
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-big-'));
    try {
      const jobs = Array.from({ length: 40 }, (_, i) => ({ queue: 'big', service_name: 'import', execution_type: 'noop' as const, max_attempts: 1, payload: { i, rows: 'x'.repeat(200_000) } }));
      await t.store.enqueue(jobs);
      const claimed = await t.store.claim({ workerId: 'w', limit: 40, leaseMs: 60_000, queues: ['big'] });
      const error = { message: `row ${'y'.repeat(50_000)} refused`, error_class: 'test', fingerprint: 'fp-big' };
      await t.store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'failed' as const, outcome: 'failed' as const, error, output_tail: 'z'.repeat(100_000) })));
      const res = await dispatch('support.bundle', {}, t.ctx);
      assert.ok(res.ok, JSON.stringify(res).slice(0, 300));
      const bundle = calls['support.bundle'].output.parse(res.result);
      const file = join(dir, bundle.file_name);
      await writeFile(file, Buffer.from(bundle.content_base64, 'base64'));
      await tar.x({ file, cwd: dir });
      const failures = JSON.parse(await readFile(join(dir, 'failures.json'), 'utf8')) as { jobs: Array<{ payload: unknown; error_message: string }>; traces: Array<{ attempts: Array<{ output_tail: string }> }> };
      assert.equal(failures.jobs.length, 40);
      assert.match(String(failures.jobs[0]?.payload), /^\{"i":\d+,"rows":"x+… \[cut: \d+ characters of JSON\]$/);
      assert.ok((failures.jobs[0]?.error_message ?? '').length <= 16 * 1024 + 40, 'an error message is kept to 16 KiB');
      assert.match(failures.traces[0]?.attempts[0]?.output_tail ?? '', /… \[cut: \d+ characters\]$/);
      const unpacked = (await readFile(join(dir, 'failures.json'))).length;
      assert.ok(unpacked < 60 * 3 * 17 * 1024, `failures.json is ${unpacked} bytes`);
    } finally {
      await t.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

it('a secret where a long output is cut is redacted before the cut, so not even its first characters remain', async () => {
  const t = await createTestContext();
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-cut-'));
  try {
    const secret = 'tok_5f1e2d3c4b5a69788796';
    t.ctx.env = { API_TOKEN: secret };
    await t.store.enqueue([{ queue: 'cut', service_name: 'export', execution_type: 'noop', max_attempts: 1 }]);
    const [claimed] = await t.store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: ['cut'] });
    assert.ok(claimed);
    // The cut comes six characters into the secret.
    const output = `${'z'.repeat(16 * 1024 - 6)}${secret} and more`;
    const error = { message: 'export failed', error_class: 'test', fingerprint: 'fp-cut' };
    await t.store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error, output_tail: output }]);
    const res = await dispatch('support.bundle', {}, t.ctx);
    assert.ok(res.ok, JSON.stringify(res).slice(0, 300));
    const text = await bundleText(res.result, dir);
    assert.ok(!text.includes(secret.slice(0, 6) + '…'), 'the first characters of the secret were kept where the output was cut');
    assert.ok(!text.includes(secret.slice(0, 6)), 'part of the secret is in the bundle');
  } finally {
    await t.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});

const WORKFLOWS = `
services:
  - name: step
    execution_type: noop
workflows:
  - name: etl
    tasks:
      - { name: extract, service: step }
      - { name: load, service: step, depends_on: [extract] }
  - name: slow
    stuck_after: 1s
    tasks:
      - { name: only, service: step }
`;

const BundledRuns = z.object({
  run: z.object({ id: z.number(), identifier: z.string(), workflow: z.string(), status: z.string(), stuck: z.boolean(), stuck_after: z.string(), payload: z.record(z.string(), z.unknown()) }),
  tasks: z.array(z.object({ name: z.string(), status: z.string(), error_message: z.string().nullable() })),
});
const WorkflowsFile = z.object({ failed: z.array(BundledRuns), stuck: z.array(BundledRuns) });

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`workflow runs in a bundle (${dialect})`, () => {
    it('lists the newest 50 failed runs and the stuck ones, newest first, with their tasks and errors, redacted', async () => {
      const t = await createTestContext(WORKFLOWS, dialect);
      const dir = await mkdtemp(join(tmpdir(), 'opsdeck-support-flows-'));
      try {
        const secret = 'tok_wf_1a2b3c4d5e6f7a8b';
        t.ctx.env = { API_TOKEN: secret };
        for (let i = 0; i < 52; i++) {
          const started = await dispatch('workflows.run', { workflow: 'etl', identifier: `etl-${i}`, payload: { day: i, password: 'hunter2' } }, t.ctx);
          assert.ok(started.ok, JSON.stringify(started));
        }
        const claimed = await t.store.claim({ workerId: 'w', limit: 100, leaseMs: 60_000 });
        assert.equal(claimed.length, 52, 'each run has its extract ready');
        const error = { message: `warehouse refused token ${secret}`, error_class: 'test', fingerprint: 'fp-wf' };
        await t.store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'failed' as const, outcome: 'failed' as const, error })));
        const slow = await dispatch('workflows.run', { workflow: 'slow', identifier: 'slow-1' }, t.ctx);
        assert.ok(slow.ok, JSON.stringify(slow));
        await new Promise((resolve) => setTimeout(resolve, 1200));

        const res = await dispatch('support.bundle', {}, t.ctx);
        assert.ok(res.ok, JSON.stringify(res).slice(0, 300));
        const bundle = calls['support.bundle'].output.parse(res.result);
        assert.ok(bundle.files.includes('workflows.json'), bundle.files.join(', '));
        const out = await mkdtemp(join(dir, 'x-'));
        const file = join(dir, bundle.file_name);
        await writeFile(file, Buffer.from(bundle.content_base64, 'base64'));
        await tar.x({ file, cwd: out });
        const text = await readFile(join(out, 'workflows.json'), 'utf8');
        assert.ok(!text.includes(secret), 'the token an error quoted is in the bundle');
        assert.ok(!text.includes('hunter2'), "a run's payload password is in the bundle");
        const runs = WorkflowsFile.parse(JSON.parse(text));

        assert.equal(runs.failed.length, 50, 'bounded: the newest 50 of 52');
        assert.deepEqual(
          runs.failed.map((r) => r.run.identifier),
          Array.from({ length: 50 }, (_, i) => `etl-${51 - i}`),
          'newest first',
        );
        const [newest] = runs.failed;
        assert.deepEqual([newest?.run.status, newest?.run.payload], ['failed', { day: 51, password: '[redacted]' }]);
        assert.deepEqual(newest?.tasks.map((task) => [task.name, task.status]), [['extract', 'failed'], ['load', 'blocked']]);
        assert.equal(newest?.tasks[0]?.error_message, 'warehouse refused token [redacted]');
        assert.match(newest?.tasks[1]?.error_message ?? '', /extract/, 'why the blocked task waits');

        assert.deepEqual(
          runs.stuck.map((r) => [r.run.identifier, r.run.stuck, r.run.stuck_after, r.tasks.map((task) => [task.name, task.status])]),
          [['slow-1', true, '1s', [['only', 'pending']]]],
        );
        const readme = await readFile(join(out, 'README.txt'), 'utf8');
        assert.match(readme, /^workflows\.json +the newest 50 failed and 50 stuck workflow runs, each with its tasks' states and errors$/m);
      } finally {
        await t.cleanup();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
