import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { Engine } from '../engine/engine.ts';
import { waitFor } from '../engine/testing/harness.ts';
import { createRunners } from '../runners/registry.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ROUTES } from './routes.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

/** What the job is given on its command line: a secret after a flag, in a flag, in a URL, in a header. */
const ARGS = ['--password', 'arg-pw', '--token=arg-tok', 'https://etl:arg-urlpw@files.example/in.csv', '-H', 'Authorization: Bearer arg-bearer', '--verbose'];
const ARGS_SEEN_BY_READ_KEY = ['--password', '[redacted]', '--token=[redacted]', 'https://etl:[redacted]@files.example/in.csv', '-H', 'Authorization: Bearer [redacted]', '--verbose'];

/** A shell job that echoes its command line, prints secrets as a program's own output does, and fails. */
const SCRIPT = [
  'echo "etl started with: $*"',
  'echo "db: password=out-pw token: out-tok"',
  `echo 'config {"api_key": "out-key"}'`,
  'echo "Authorization: Bearer out-bearer" >&2',
  'echo "upstream refused: password=err-pw" >&2',
  'exit 2',
].join('\n');

const REGISTRY = JSON.stringify({
  services: [
    {
      name: 'etl',
      execution_type: 'shell',
      runner_config: { command: ['/bin/sh', '-c', SCRIPT, 'sh'], payload_args: true },
      security_policy: { allowed_commands: ['/bin/sh'] },
      retry_config: { max_retries: 0 },
      // One failure opens it: the runner's health check then quotes the job's error.
      circuit_breaker: { failure_threshold: 1, minimum_volume: 1 },
    },
  ],
  workflows: [{ name: 'nightly', tasks: [{ name: 'load', service: 'etl', payload: { args: ARGS } }] }],
});

/** A task's job is given its task's payload and which run and task it is. */
const argsOf = (payload: unknown) => z.object({ args: z.array(z.string()) }).parse(payload).args;

const SECRETS = ['arg-pw', 'arg-tok', 'arg-urlpw', 'arg-bearer', 'out-pw', 'out-tok', 'out-key', 'out-bearer', 'err-pw'];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`REST API v1 on ${dialect}: a job's argv, output and errors as a read key sees them`, () => {
    let dir = '';
    let database: TestDatabase | null = null;
    let rest: RestFixture;
    let engine: Engine | null = null;
    let jobId = 0;
    let runId = 0;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-readkeytext-'));
      const registryPath = join(dir, 'registry.yaml');
      await writeFile(registryPath, REGISTRY);
      if (dialect === 'postgres') database = await createTestDatabase({ migrated: true });
      rest = await startRestFixture(registryPath, { PATH: process.env.PATH }, database?.url);
      const { store, registry } = rest.runtime.ctx;
      const started = await rest.call('POST', '/v1/workflows/nightly/runs', rest.operateKey, {});
      assert.equal(started.status, 201, started.text);
      runId = calls['workflows.run'].output.parse(started.json).run_id;
      engine = new Engine({ store, registry, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, pollMs: 20, env: { PATH: process.env.PATH } });
      await engine.start();
      const shown = await waitFor('the task to fail', async () => {
        const run = calls['workflows.show'].output.parse((await rest.call('GET', `/v1/workflow-runs/${runId}`, rest.operateKey)).json);
        return run.tasks.find((t) => t.status === 'failed');
      });
      jobId = shown.job_id;
      await engine.stop({ graceMs: 0 });
      engine = null;
    });

    after(async () => {
      await engine?.stop({ graceMs: 0 });
      await rest?.close();
      await database?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("gives a read key the job's argv, output, error and samples with each secret [redacted], and an operate key them as stored", async () => {
      const read = calls['jobs.get'].output.parse((await rest.call('GET', `/v1/executions/${jobId}`, rest.readKey)).json);
      assert.deepEqual(argsOf(read.job.payload), ARGS_SEEN_BY_READ_KEY);
      assert.deepEqual(read.job.security_context?.payload_args, ARGS_SEEN_BY_READ_KEY, 'the argv it ran with, as its payload');
      assert.equal(read.job.error_message, 'exited with code 2: upstream refused: password=[redacted]');
      const tail = read.attempts[0]?.output_tail ?? '';
      for (const line of ['etl started with: --password [redacted] --token=[redacted] https://etl:[redacted]@files.example/in.csv -H Authorization: Bearer [redacted] --verbose', 'db: password=[redacted] token: [redacted]', 'config {"api_key": "[redacted]"}', 'Authorization: Bearer [redacted]']) {
        assert.ok(tail.includes(line), `the output tail holds ${line}: ${tail}`);
      }
      assert.equal(read.attempts[0]?.error_message, read.job.error_message);
      const groups = calls['dlq.groups'].output.parse((await rest.call('GET', '/v1/dlq/groups', rest.readKey)).json).groups;
      assert.deepEqual(groups.map((g) => g.sample_error), [read.job.error_message]);
      const failures = calls['failures.recent'].output.parse((await rest.call('GET', '/v1/failures', rest.readKey)).json).groups;
      assert.deepEqual(failures.map((g) => g.sample_error), [read.job.error_message]);
      const breaker = calls['breakers.get'].output.parse((await rest.call('GET', '/v1/breakers/etl', rest.readKey)).json);
      assert.equal(breaker.last_error, read.job.error_message);
      const run = calls['workflows.show'].output.parse((await rest.call('GET', `/v1/workflow-runs/${runId}`, rest.readKey)).json);
      assert.deepEqual(run.tasks.map((t) => t.error_message), [read.job.error_message]);

      const whole = await rest.call('GET', `/v1/executions/${jobId}`, rest.operateKey);
      for (const secret of SECRETS) assert.ok(whole.text.includes(secret), `an operate key sees ${secret} as stored`);
      const job = calls['jobs.get'].output.parse(whole.json).job;
      assert.deepEqual(argsOf(job.payload), ARGS);
      assert.equal(job.error_message, 'exited with code 2: upstream refused: password=err-pw');
    });

    it('shows a read key no secret of the job on any route it may call', async () => {
      const params: Record<string, string> = { id: String(jobId), run: String(runId), service: 'etl', name: 'nightly', check: 'runner' };
      const readable = ROUTES.filter((r) => r.method === 'GET' && r.operateOnly === null);
      const runnerCheck = calls['health.check'].output.parse((await rest.call('GET', '/v1/health/runner', rest.readKey)).json).checks.find((c) => c.name === 'runner:shell');
      assert.match(runnerCheck?.detail ?? '', /but the calls of etl \(open: exited with code 2: upstream refused: password=\[redacted\]\) fail/, 'the runner check quotes the error as a read key sees it');
      for (const route of readable) {
        const path = route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => params[name] ?? name);
        const answer = await rest.call('GET', path, rest.readKey);
        assert.ok(answer.status < 500, `${path}: ${answer.text}`);
        for (const secret of SECRETS) assert.ok(!answer.text.includes(secret), `${path} shows ${secret} to a read key: ${answer.text}`);
      }
      for (const path of ['/v1/executions?search=err-p', '/v1/executions?search=password%3Derr', '/v1/dlq?search=err-pw', '/v1/dlq/groups?search=err-pw', '/v1/executions?search=out-tok']) {
        const searched = await rest.call('GET', path, rest.readKey);
        assert.equal(searched.status, 200, `${path}: ${searched.text}`);
        assert.ok(!searched.text.includes('"id":') && !searched.text.includes('"fingerprint":'), `${path} finds what a read key sees as [redacted]: ${searched.text}`);
      }
      const visible = calls['jobs.list'].output.parse((await rest.call('GET', '/v1/executions?search=upstream%20refused', rest.readKey)).json).jobs;
      assert.deepEqual(visible.map((j) => j.id), [jobId], 'a search of what a read key sees finds the job');
      const groups = calls['dlq.groups'].output.parse((await rest.call('GET', '/v1/dlq/groups?search=err-pw', rest.readKey)).json);
      assert.deepEqual([groups.groups, groups.total], [[], 0]);
      const found = calls['jobs.list'].output.parse((await rest.call('GET', '/v1/executions?search=err-pw', rest.operateKey)).json).jobs;
      assert.deepEqual(found.map((j) => j.id), [jobId], "an operate key's search finds the stored text");
      const dead = await rest.call('GET', '/v1/dlq', rest.operateKey);
      assert.ok(dead.text.includes('err-pw') && dead.text.includes('arg-pw'), 'an operate key sees the dead letter as stored');
    });
  });
}
