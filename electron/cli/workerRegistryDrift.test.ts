import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';
import { startWorker } from './testing/workerChild.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A shell service running /bin/true, allowed or not: the runbook's allowlist edit. */
const shellRegistry = (allowed: string) => `services:
  - name: cleanup
    execution_type: shell
    runner_config:
      command: ["/bin/true"]
    security_policy:
      allowed_commands: ["${allowed}"]
`;

const WorkersJson = z.object({
  workers: z.array(z.object({ id: z.string(), registry: z.object({ digest: z.string(), path: z.string().nullable(), loaded_at: z.string() }).nullable() }).loose()),
  registry_drift: z.array(z.object({ worker_id: z.string(), detail: z.string() })),
}).loose();
const HealthJson = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), warning: z.boolean().optional(), detail: z.string() })) }).loose();

describe('the registry a worker runs, beside the file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-regdrift-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('workers shows its digest and load time; health-check registry names it once the file changed without SIGHUP; its refusals name its registry; SIGHUP brings it level', async () => {
    const db = join(dir, 'drift.db');
    const registry = join(dir, 'registry.yaml');
    const before = shellRegistry('/bin/echo');
    const edited = shellRegistry('/bin/true');
    await writeFile(registry, before);
    ok(await opsdeck(['migrate', '--db', db]));
    const worker = startWorker(['--db', db, '--registry', registry]);
    const store: Store = await openStore(db);
    try {
      await waitFor('the worker to start', () => worker.lines.find((l) => l.msg === 'worker started'));
      // The registry's own check (validate-config's warning) said at start, not only at the first job.
      const refusing = await waitFor('the allowlist warning', () => worker.lines.find((l) => l.msg.startsWith('service cleanup cannot run')));
      assert.equal(refusing.level, 'warn');
      assert.match(refusing.msg, /Command '\/bin\/true' is not allowed by security_policy\.allowed_commands: its jobs will fail$/);
      const listed = WorkersJson.parse(JSON.parse(ok(await opsdeck(['workers', '--json', '--db', db]))));
      const [w] = listed.workers;
      assert.ok(w);
      assert.equal(w.registry?.digest, sha256(before));
      assert.equal(w.registry?.path, registry);
      assert.ok(w.registry !== null && Date.now() - Date.parse(w.registry.loaded_at) < 60_000);
      const table = ok(await opsdeck(['workers', '--db', db]));
      assert.match(table, /REGISTRY/);
      assert.match(table, new RegExp(sha256(before).slice(0, 12)));

      const health = async () => {
        const run = await opsdeck(['health-check', 'registry', '--json', '--db', db, '--registry', registry]);
        const [check] = HealthJson.parse(JSON.parse(run.stdout)).checks;
        assert.ok(check, run.stderr);
        return check;
      };
      const level = await health();
      assert.equal(level.warning, true, 'the allowlist warning of the file itself');
      assert.doesNotMatch(level.detail, /runs registry/);

      // The runbook's edit, with no SIGHUP: validate-config and this check's own reading say the file is fine.
      await writeFile(registry, edited);
      ok(await opsdeck(['validate-config', registry]));
      const drift = await health();
      assert.equal(drift.ok, true);
      assert.equal(drift.warning, true);
      assert.match(drift.detail, new RegExp(`worker ${w.id} runs registry ${sha256(before).slice(0, 12)} loaded \\S+; the file ${registry} is now ${sha256(edited).slice(0, 12)}: send it SIGHUP to reload \\(kill -HUP \\d+ on `));
      // workers, given the file, marks the worker and says the same under its table; without a file it cannot tell.
      const marked = ok(await opsdeck(['workers', '--db', db, '--registry', registry]));
      assert.match(marked, new RegExp(`${sha256(before).slice(0, 12)} \\S+ \\S+ \\(not the file\\)`));
      assert.match(marked, new RegExp(`^worker ${w.id} runs registry ${sha256(before).slice(0, 12)} loaded .*: send it SIGHUP to reload \\(kill -HUP \\d+ on `, 'm'));
      assert.deepEqual(WorkersJson.parse(JSON.parse(ok(await opsdeck(['workers', '--json', '--db', db, '--registry', registry])))).registry_drift.map((d) => d.worker_id), [w.id]);
      assert.doesNotMatch(ok(await opsdeck(['workers', '--db', db])), /not the file|runs registry/);

      // Its jobs still fail by the registry it had, and say which.
      ok(await opsdeck(['enqueue', 'cleanup', '--db', db]));
      const failed = await waitFor('the job to be refused', async () => (await store.listJobs({ status: ['failed'] }, { limit: 10 })).items[0]);
      assert.match(failed.error_message ?? '', new RegExp(`not allowed.*\\(this worker's registry ${sha256(before).slice(0, 12)} loaded \\S+ from ${registry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));

      worker.child.kill('SIGHUP');
      await waitFor('the reload to be declared', async () => ((await store.listWorkers(60_000))[0]?.registry?.digest === sha256(edited) ? true : undefined));
      const after = await health();
      assert.doesNotMatch(after.detail, /runs registry/);
      assert.doesNotMatch(ok(await opsdeck(['workers', '--db', db, '--registry', registry])), /not the file|runs registry/);
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      await store.close();
    }
  });

  it('a worker warns at start, and at each reload, of every service it cannot run here', async () => {
    const db = join(dir, 'lacks.db');
    const registry = join(dir, 'lacks.yaml');
    const services = (extra: string) => `services:
  - name: fine
    execution_type: noop
  - name: billing
    execution_type: shell
    runner_config:
      command: ["/bin/echo"]
      env: [REGDRIFT_BILLING_TOKEN]
    security_policy:
      allowed_commands: ["/bin/echo"]
  - name: thumbnails
    execution_type: docker
    runner_config:
      image: alpine:3
      socket_path: ${join(dir, 'no-docker.sock')}
  - name: resize
    execution_type: serverless
    runner_config:
      provider: aws_lambda
      function_name: resize
      region: eu-west-1
      endpoint: http://127.0.0.1:9
${extra}`;
    await writeFile(registry, services(''));
    ok(await opsdeck(['migrate', '--db', db]));
    // No AWS credentials from any of the SDK's sources: environment, files, the instance's metadata.
    const noAws = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' };
    const worker = startWorker(['--db', db, '--registry', registry], { REGDRIFT_BILLING_TOKEN: undefined, REGDRIFT_REPORTS_KEY: undefined, ...noAws });
    try {
      const billing = await waitFor('the billing warning', () => worker.lines.find((l) => l.msg.startsWith('service billing cannot run')));
      assert.equal(billing.level, 'warn');
      assert.match(billing.msg, /environment variable REGDRIFT_BILLING_TOKEN is not set on this worker/);
      const docker = await waitFor('the docker warning', () => worker.lines.find((l) => l.msg.startsWith('service thumbnails cannot run')));
      assert.match(docker.msg, /no-docker\.sock/);
      const lambda = await waitFor('the AWS credentials warning', () => worker.lines.find((l) => l.msg.startsWith('service resize cannot run')));
      assert.match(lambda.msg, /no AWS credentials for resize/);
      assert.doesNotMatch(lambda.msg, /127\.0\.0\.1:9/, 'no upstream is reached at start');
      assert.equal(worker.lines.some((l) => l.msg.startsWith('service fine')), false, 'a service it can run is not named');

      await writeFile(registry, services(`  - name: reports
    execution_type: http
    runner_config:
      base_url: http://127.0.0.1:9
      auth_type: bearer
      auth_config:
        token_env_var: REGDRIFT_REPORTS_KEY
`));
      worker.child.kill('SIGHUP');
      const reports = await waitFor('the new service warned of after the reload', () => worker.lines.find((l) => l.msg.startsWith('service reports cannot run')));
      assert.match(reports.msg, /REGDRIFT_REPORTS_KEY is not set on this worker/);
      assert.equal(worker.lines.filter((l) => l.msg.startsWith('service billing cannot run')).length, 2, 'said again after the reload');
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
  });
});
