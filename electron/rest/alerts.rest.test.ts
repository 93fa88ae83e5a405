import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');

describe('REST API v1: alerts and rate limits', () => {
  let rest: RestFixture;
  let readKey = '';
  let operateKey = '';

  before(async () => {
    rest = await startRestFixture(registryPath, { ...process.env, OPSDECK_REGISTRY: '' });
    ({ readKey, operateKey } = rest);
  });

  after(async () => {
    await rest?.close();
  });

  async function call(method: string, path: string, key: string, body?: unknown) {
    const res = await rest.call(method, path, key, body);
    return { status: res.status, json: res.json as Record<string, unknown> };
  }

  it('lists the rules, writes and deletes a console rule, and says what is wrong with a bad one', async () => {
    const listed = await call('GET', '/v1/alerts', readKey);
    assert.equal(listed.status, 200);
    const names = (listed.json.alerts as Array<{ name: string; source: string }>).map((a) => `${a.name}:${a.source}`);
    assert.ok(names.includes('failure-spike:registry'), names.join(' '));

    assert.equal((await call('POST', '/v1/alerts/rules', readKey, { rule: { name: 'x', kind: 'worker_lost' } })).status, 403, 'a read key changes nothing');
    const bad = await call('POST', '/v1/alerts/rules', operateKey, { rule: { name: 'x', kind: 'failure_rate', threshold: 7 } });
    assert.equal(bad.status, 422);
    assert.ok(JSON.stringify(bad.json).includes('rule.threshold'));
    const saved = await call('POST', '/v1/alerts/rules', operateKey, { rule: { name: 'lost-worker', kind: 'worker_lost' } });
    assert.equal(saved.status, 200);
    assert.equal((saved.json.rule as { severity: string }).severity, 'warning', 'defaults filled in');
    const clash = await call('POST', '/v1/alerts/rules', operateKey, { rule: { name: 'failure-spike', kind: 'worker_lost' } });
    assert.equal(clash.status, 409);
    assert.equal((await call('POST', '/v1/alerts/rules/lost-worker/delete', operateKey, {})).status, 200);
    assert.equal((await call('POST', '/v1/alerts/rules/lost-worker/delete', operateKey, {})).status, 404);
  });

  it('checks a rule written the runbooks\' way, for any key, with the same advice the CLI and the console give, and saves nothing', async () => {
    const text = 'name: high-errors\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: [ops@example.com]\n';
    const checked = await call('POST', '/v1/alerts/rules/check', readKey, { text });
    assert.equal(checked.status, 200);
    const out = calls['alerts.checkRule'].output.parse(checked.json);
    assert.equal(out.rule, null, 'a rule with errors is not read as one');
    const words = out.problems.map((p) => p.message).join('\n');
    assert.match(words, /webhook/i, 'e-mail gets the webhook advice');
    const good = calls['alerts.checkRule'].output.parse((await call('POST', '/v1/alerts/rules/check', readKey, { text: 'name: lost\nkind: worker_lost\n' })).json);
    assert.equal(good.rule?.name, 'lost');
    const names = ((await call('GET', '/v1/alerts', readKey)).json.alerts as Array<{ name: string }>).map((a) => a.name);
    assert.ok(!names.includes('lost') && !names.includes('high-errors'), 'checking saves nothing');
    assert.equal((await call('POST', '/v1/alerts/rules/check', readKey, { text: 'x'.repeat(20_000) })).status, 422, 'an oversized text is refused');
  });

  it('acknowledging a rule not evaluated yet is a conflict; an unknown one is not found', async () => {
    assert.equal((await call('POST', '/v1/alerts/failure-spike/ack', operateKey, { note: 'on it' })).status, 409);
    assert.equal((await call('POST', '/v1/alerts/typo/silence', operateKey, { minutes: 30 })).status, 404);
  });

  it('rate limits in use per service', async () => {
    const res = await call('GET', '/v1/rate-limits', readKey);
    assert.equal(res.status, 200);
    const local = (res.json.services as Array<{ service_name: string; limit: number; max_concurrent: number; used: number }>).find((s) => s.service_name === 'local_api');
    assert.deepEqual([local?.limit, local?.max_concurrent, local?.used], [20, 4, 0]);
  });
});
