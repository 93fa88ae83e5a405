import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

/** A MySQL dump whose jobs append their payload.args to its command, and a service that runs nothing. */
const REGISTRY = [
  'services:',
  '  - name: dump',
  '    execution_type: shell',
  '    runner_config: { command: [/usr/bin/mysqldump, --single-transaction], payload_args: true }',
  '    security_policy: { allowed_commands: [/usr/bin/mysqldump] }',
  '  - name: billing',
  '    execution_type: noop',
  '',
].join('\n');

const DUMP_ARGS = ['-u', 'etl', '-pdump-pw', 'sales'];
const BILLING = { args: ['curl', '-u', 'ops:curl-pw', '--user=ops:curl-pw2', 'https://files.example/in'], tokens: 5, max_tokens: 4096, token: 'tok-pw' };
const SECRETS = ['dump-pw', 'curl-pw', 'curl-pw2', 'tok-pw', 'sched-pw'];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`REST API v1 on ${dialect}: program passwords, counts and the audit log's search as a read key sees them`, () => {
    let dir = '';
    let database: TestDatabase | null = null;
    let rest: RestFixture;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-readkeyargs-'));
      const registryPath = join(dir, 'registry.yaml');
      await writeFile(registryPath, REGISTRY);
      if (dialect === 'postgres') database = await createTestDatabase();
      rest = await startRestFixture(registryPath, { PATH: process.env.PATH }, database?.url);
      for (const body of [
        { service: 'dump', identifier: 'dump-1', payload: { args: DUMP_ARGS } },
        { service: 'billing', identifier: 'bill-1', payload: BILLING },
      ]) {
        const enqueued = await rest.call('POST', '/v1/executions', rest.operateKey, body);
        assert.equal(enqueued.status, 201, enqueued.text);
      }
      const schedule = { name: 'nightly-dump', service: 'dump', cron: '0 3 * * *', payload: { args: ['-psched-pw'] } };
      assert.equal((await rest.call('POST', '/v1/schedules', rest.operateKey, schedule)).status, 201);
    });

    after(async () => {
      await rest?.close();
      await database?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("cuts a MySQL client's -p by its service's command and curl's -u user:pass, and keeps counts", async () => {
      const dump = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/dump-1', rest.readKey)).json).job;
      assert.deepEqual(dump.payload, { args: ['-u', 'etl', '-p[redacted]', 'sales'] });
      const billing = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/bill-1', rest.readKey)).json).job;
      assert.deepEqual(billing.payload, { args: ['curl', '-u', 'ops:[redacted]', '--user=ops:[redacted]', 'https://files.example/in'], tokens: 5, max_tokens: 4096, token: '[redacted]' });
      const schedule = calls['schedules.get'].output.parse((await rest.call('GET', '/v1/schedules/nightly-dump', rest.readKey)).json);
      assert.deepEqual(schedule.config.payload, { args: ['-p[redacted]'] });
      for (const path of ['/v1/executions', '/v1/schedules', '/v1/audit']) {
        const text = (await rest.call('GET', path, rest.readKey)).text;
        for (const secret of SECRETS) assert.ok(!text.includes(secret), `${path} shows ${secret} to a read key: ${text}`);
      }
      const whole = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/dump-1', rest.operateKey)).json).job;
      assert.deepEqual(whole.payload, { args: DUMP_ARGS }, 'an operate key sees it as given');
    });

    it("finds for a read key's audit search only what it sees, never a letter of a cut value", async () => {
      for (const search of ['sched-p', 'sched-pw', 'ed-p']) {
        const answer = calls['audit.list'].output.parse((await rest.call('GET', `/v1/audit?search=${search}`, rest.readKey)).json);
        assert.deepEqual([answer.entries, answer.next_cursor], [[], null], `search=${search}`);
      }
      const seen = calls['audit.list'].output.parse((await rest.call('GET', '/v1/audit?search=nightly-dump', rest.readKey)).json).entries;
      assert.deepEqual(seen.map((e) => e.action), ['schedule.add'], 'what a read key sees is found');
      const whole = calls['audit.list'].output.parse((await rest.call('GET', '/v1/audit?search=sched-pw', rest.operateKey)).json).entries;
      assert.deepEqual(whole.map((e) => e.action), ['schedule.add'], "an operate key's search finds the stored text");
    });
  });
}
