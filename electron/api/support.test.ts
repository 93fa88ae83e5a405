import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { calls } from '../../shared/contract.ts';
import { RegistryHolder } from '../config/holder.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

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
    for (const name of ['diagnose.json', 'registry.yaml', 'failures.json', 'audit.json', 'opsdeck.log', 'README.txt']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
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
