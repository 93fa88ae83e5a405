import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { err, job, later } from '../store/contract/fixtures.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

/** The views README's table of /v1/executions documents, over real HTTP: `stuck=`, `scheduled=`, `unresolved=`. */
describe('REST API v1: GET /v1/executions takes stuck=, scheduled= and unresolved=, as opsdeck jobs takes --stuck and --scheduled', () => {
  let rest: RestFixture;
  let dir: string;
  const ids = { stuck: 0, scheduled: 0, dead: 0, resolved: 0 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-views-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - { name: etl, execution_type: noop }\n');
    rest = await startRestFixture(registry, {});
    const { store } = rest.runtime.ctx;
    await store.enqueue([job('etl', { queue: 'lost' }), job('etl', { queue: 'dead', max_attempts: 1 }), job('etl', { queue: 'dead', max_attempts: 1 })]);
    const [lost] = await store.claim({ workerId: 'gone', limit: 1, leaseMs: 1, queues: ['lost'] });
    const dead = await store.claim({ workerId: 'gone', limit: 2, leaseMs: 60_000, queues: ['dead'] });
    assert.ok(lost && dead.length === 2);
    await store.settle(dead.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'gone', kind: 'failed' as const, outcome: 'failed' as const, error: err('disk full') })));
    const [later1] = await store.enqueue([job('etl', { run_at: later(3_600_000) })]);
    ids.stuck = lost.id;
    ids.dead = dead[0]?.id ?? 0;
    ids.resolved = dead[1]?.id ?? 0;
    ids.scheduled = later1?.id ?? 0;
    assert.equal(await store.dlqResolve({ job_ids: [ids.resolved] }, 'handled', { user: 'ops', host: 'h' }), 1);
    await sleep(20);
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const listed = async (query: string) => {
    const res = await rest.call('GET', `/v1/executions?${query}`, rest.readKey);
    assert.equal(res.status, 200, `${query}: ${res.text}`);
    return calls['jobs.list'].output.parse(res.json).jobs.map((j) => j.id);
  };

  it('each lists its view: running with an expired lease, pending not yet due, dead letters not resolved', async () => {
    assert.deepEqual(await listed('stuck=true'), [ids.stuck]);
    assert.deepEqual(await listed('scheduled=1'), [ids.scheduled]);
    assert.deepEqual(await listed('unresolved=true'), [ids.dead]);
    assert.deepEqual((await listed('status=failed')).sort((a, b) => a - b), [ids.dead, ids.resolved].sort((a, b) => a - b), 'a resolved dead letter is still failed');
  });

  it('a flag is true or false', async () => {
    const res = await rest.call('GET', '/v1/executions?stuck=yes', rest.readKey);
    assert.equal(res.status, 422);
    assert.deepEqual(z.object({ error: z.object({ issues: z.array(z.unknown()) }) }).parse(res.json).error.issues, [{ path: 'query.stuck', message: 'true or false' }]);
  });
});
