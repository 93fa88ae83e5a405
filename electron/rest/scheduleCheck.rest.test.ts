import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** The runbook's "verify cron expression syntax" over real HTTP: a check adds nothing, and says what add would refuse. */
describe('REST POST /v1/schedules/check', () => {
  let rest: RestFixture;

  before(async () => {
    rest = await startRestFixture(registryPath, { ...process.env, OPSDECK_REGISTRY: '' });
  });

  after(async () => {
    await rest?.close();
  });

  it('answers a read key with the next fires, and adds nothing', async () => {
    const answer = await rest.call('POST', '/v1/schedules/check', rest.readKey, { cron: '30 2 * * *', timezone: 'Europe/Berlin', count: 3 });
    assert.equal(answer.status, 200, answer.text);
    const check = calls['schedules.check'].output.parse(answer.json);
    assert.equal(check.ok, true);
    assert.equal(check.timezone, 'Europe/Berlin');
    assert.equal(check.next_fires.length, 3);
    for (const at of check.next_fires) assert.match(new Date(at).toLocaleString('en-GB', { timeZone: 'Europe/Berlin' }), /0[23]:[03]0:00$/);
    const list = calls['schedules.list'].output.parse((await rest.call('GET', '/v1/schedules', rest.readKey)).json);
    assert.deepEqual(list.schedules, []);
  });

  it('says each problem at its field, in the words POST /v1/schedules refuses them with', async () => {
    const answer = await rest.call('POST', '/v1/schedules/check', rest.readKey, { cron: '0 9 * * MON-FRY', timezone: 'Europe/Berln' });
    assert.equal(answer.status, 200, answer.text);
    const check = calls['schedules.check'].output.parse(answer.json);
    assert.equal(check.ok, false);
    assert.deepEqual(check.problems, [
      { field: 'cron', message: "day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)" },
      { field: 'timezone', message: "'Europe/Berln' is not a time zone: did you mean Europe/Berlin?" },
    ]);
    assert.deepEqual(check.next_fires, []);

    const add = await rest.call('POST', '/v1/schedules', rest.operateKey, { name: 'typo', service: 'healthy_noop', cron: '0 9 * * MON-FRY', timezone: 'Europe/Berln' });
    assert.equal(add.status, 422);
    assert.deepEqual(ErrorBody.parse(add.json).error.issues, [
      { path: 'cron', message: "day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)" },
      { path: 'timezone', message: "'Europe/Berln' is not a time zone: did you mean Europe/Berlin?" },
    ]);
  });

  it('refuses what it does not take, naming it', async () => {
    const extra = await rest.call('POST', '/v1/schedules/check', rest.readKey, { cron: '@daily', name: 'x' });
    assert.equal(extra.status, 422);
    assert.match(ErrorBody.parse(extra.json).error.message, /name/);
    const many = await rest.call('POST', '/v1/schedules/check', rest.readKey, { cron: '@daily', count: 500 });
    assert.equal(many.status, 422);
    assert.match(ErrorBody.parse(many.json).error.message, /count/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = z.object({ paths: z.record(z.string(), z.unknown()) }).parse((await rest.call('GET', '/v1/openapi.json', rest.readKey)).json);
    assert.ok(Object.hasOwn(doc.paths, '/v1/schedules/check'));
  });
});
