import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from '../rest/testing/restFixture.ts';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: db_task',
  '    execution_type: shell',
  '    runner_config: { command: ["/bin/true"] }',
  '    security_policy: { allowed_commands: ["/bin/true"] }',
  '',
].join('\n');

/** The operators' walk: `db_task (half-open: ...) fail: its circuit breaker is open`, two states in one sentence. */
describe("health-check runner:shell of a service whose breaker is half-open", () => {
  let dir: string;
  let common: string[];
  let rest: RestFixture;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-half-open-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    const db = join(dir, 'o.db');
    common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
    const store = await openStore(db);
    try {
      const opened = new Date(Date.now() - 120_000).toISOString();
      const halfOpen = { ...newBreakerRecord('db_task', new Date()), state: 'half_open' as const, opened_at: opened, left_closed_at: opened, last_transition_at: new Date().toISOString(), last_error: 'exit code 2: could not connect to server', version: 1 };
      assert.equal(await store.saveBreaker(halfOpen, { from: 'open', to: 'half_open', reason: 'recovery timeout elapsed' }), true);
    } finally {
      await store.close();
    }
    rest = await startRestFixture(registry, { ...process.env, OPSDECK_REGISTRY: '' }, db);
  });

  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const said = 'but the calls of db_task failed (exit code 2: could not connect to server) until its circuit breaker opened: half-open now, waiting for its probe: the next job of db_task goes through as one';

  it('the CLI says it half-open, waiting for its probe, and never open', async () => {
    const checked = await opsdeck(['health-check', 'runner:shell', ...common]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^runner:shell +WARN +/m);
    assert.ok(checked.stdout.includes(`; ${said} (opsdeck breaker list)`), checked.stdout);
    assert.doesNotMatch(checked.stdout, /breaker is open/);
  });

  it('REST says the same in its words', async () => {
    const answer = await rest.call('GET', '/v1/health/runner:shell', rest.readKey);
    assert.equal(answer.status, 200, answer.text);
    const [check] = calls['health.check'].output.parse(answer.json).checks;
    assert.equal(check?.warning, true);
    assert.ok(check.detail.endsWith(`; ${said} (GET /v1/breakers)`), check.detail);
  });
});
