import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from '../rest/testing/restFixture.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: step',
  '    execution_type: noop',
  // On a queue no worker of this test takes: its task waits, and holds its run.
  '  - name: elsewhere',
  '    execution_type: noop',
  '    queue: elsewhere',
  '  - name: broken',
  '    execution_type: shell',
  '    runner_config: { command: ["/bin/false"] }',
  '    security_policy: { allowed_commands: ["/bin/false"] }',
  '    retry_config: { max_retries: 0 }',
  'workflows:',
  '  - name: lone',
  '    stuck_after: 1s',
  '    tasks:',
  '      - { name: only, service: elsewhere }',
  '  - name: split',
  '    stuck_after: 1s',
  '    tasks:',
  '      - { name: fails, service: broken }',
  '      - { name: waits, service: elsewhere }',
  '      - { name: after, service: step, depends_on: [fails, waits] }',
  '',
].join('\n');

const Started = z.object({ run_id: z.number() });
const stuckFor = () => new Promise((resolve) => setTimeout(resolve, 1200));

/** The workflows check's detail, as the CLI prints its line. */
async function cliAdvice(common: string[]): Promise<string> {
  const checked = await opsdeck(['health-check', 'workflows', ...common]);
  assert.equal(checked.code, 0, checked.stderr);
  const line = /^workflows +WARN +(.*)$/m.exec(checked.stdout);
  assert.ok(line?.[1], checked.stdout);
  return line[1];
}

/**
 * The operators' walk: health-check workflows offered `workflow retry RUN` for a stuck run, and retry then
 * refused it, having no failed or cancelled task to run again.
 */
describe('health-check workflows names only what moves each stuck run', () => {
  let dir: string;
  let common: string[];
  let rest: RestFixture;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-stuck-advice-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    const db = join(dir, 'o.db');
    common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
    rest = await startRestFixture(registry, { ...process.env, OPSDECK_REGISTRY: '' }, db);
  });

  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a lone stuck run with no failed or cancelled task: named by its id, show and cancel, never retry', async () => {
    const { run_id: run } = Started.parse(JSON.parse(ok(await opsdeck(['workflow', 'run', 'lone', '--json', ...common]))));
    await stuckFor();
    const advice = await cliAdvice(common);
    assert.match(advice, new RegExp(`; opsdeck workflow show ${run} says which task holds it; opsdeck workflow cancel ${run} ends it$`), advice);
    const refused = await opsdeck(['workflow', 'retry', String(run), ...common]);
    assert.match(refused.stderr, /it has no failed or cancelled task to retry/, 'as the advice left it out');

    const overRest = calls['health.check'].output.parse((await rest.call('GET', '/v1/health/workflows', rest.readKey)).json).checks[0]?.detail ?? '';
    assert.match(overRest, new RegExp(`; GET /v1/workflow-runs/${run} says which task holds it; POST /v1/workflow-runs/${run}/cancel ends it$`), overRest);
  });

  it('several: each by the placeholder, retry only for the named runs that have a failed task; alone again, retry by its id, which then works', async () => {
    const lone = calls['workflows.stuck'].output.parse(JSON.parse(ok(await opsdeck(['workflow', 'runs', '--stuck', '--json', ...common])))).runs[0]?.id;
    assert.ok(lone);
    const { run_id: split } = Started.parse(JSON.parse(ok(await opsdeck(['workflow', 'run', 'split', '--json', ...common]))));
    ok(await opsdeck(['worker', '--until-empty', '--queues', 'default', ...common]));
    const shown = calls['workflows.show'].output.parse(JSON.parse(ok(await opsdeck(['workflow', 'show', String(split), '--json', ...common]))));
    assert.deepEqual(shown.tasks.map((t) => [t.name, t.status]), [['fails', 'failed'], ['waits', 'pending'], ['after', 'blocked']]);
    assert.equal(shown.run.status, 'running', 'its task waiting elsewhere keeps it running');
    await stuckFor();

    const several = await cliAdvice(common);
    assert.ok(
      several.endsWith(`; opsdeck workflow show RUN says which task holds each; opsdeck workflow cancel RUN ends one; run ${split} has a failed or cancelled task: opsdeck workflow retry RUN runs its failed and cancelled tasks again`),
      several,
    );
    const overRest = calls['health.check'].output.parse((await rest.call('GET', '/v1/health/workflows', rest.readKey)).json).checks[0]?.detail ?? '';
    assert.match(overRest, new RegExp(`${escape(`; run ${split} has a failed or cancelled task: POST /v1/workflow-runs/{run}/retry runs its failed and cancelled tasks again`)}$`), overRest);

    ok(await opsdeck(['workflow', 'cancel', String(lone), ...common]));
    const alone = await cliAdvice(common);
    assert.match(alone, new RegExp(`; opsdeck workflow show ${split} says which task holds it; opsdeck workflow cancel ${split} ends it, or opsdeck workflow retry ${split} runs its failed and cancelled tasks again$`), alone);
    const aloneOverRest = calls['health.check'].output.parse((await rest.call('GET', '/v1/health/workflows', rest.readKey)).json).checks[0]?.detail ?? '';
    assert.match(aloneOverRest, new RegExp(`, or POST /v1/workflow-runs/${split}/retry runs its failed and cancelled tasks again$`), aloneOverRest);
    assert.match(ok(await opsdeck(['workflow', 'retry', String(split), ...common])), /retried 1 task\(s\)/, 'what the advice offered works');
  });
});
