import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const Refusal = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })) }) });

/** `created_after=1h` over real HTTP: the forms `opsdeck jobs --since` takes, and a refusal naming each. */
describe('REST API v1: the time filters of /v1/executions take what opsdeck jobs --since takes', () => {
  let rest: RestFixture;
  let dir: string;
  let made = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-times-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - { name: nightly, execution_type: noop }\n');
    rest = await startRestFixture(registry, {});
    const enqueued = await dispatch('jobs.enqueue', { service: 'nightly' }, rest.runtime.ctx);
    assert.ok(enqueued.ok);
    made = calls['jobs.enqueue'].output.parse(enqueued.result).id;
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ids = async (query: string) => {
    const res = await rest.call('GET', `/v1/executions?${query}`, rest.readKey);
    assert.equal(res.status, 200, `${query}: ${res.text}`);
    return calls['jobs.list'].output.parse(res.json).jobs.map((j) => j.id);
  };

  it('a duration ago, a date and an ISO time are each read as a time', async () => {
    assert.deepEqual(await ids('created_after=1h'), [made], 'made within the hour');
    assert.deepEqual(await ids('created_before=1h'), [], 'none made over an hour ago');
    assert.deepEqual(await ids('created_after=90s&created_before=2020-01-01'), []);
    assert.deepEqual(await ids('created_after=2020-01-01'), [made], 'a date is its midnight UTC');
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual(await ids(`created_after=${encodeURIComponent(soon)}`), [], 'an ISO time as before');
    assert.deepEqual(await ids(`created_before=${encodeURIComponent(soon)}`), [made]);
  });

  it('anything else is a 422 with an example of each form; a bare number is ambiguous, as on the command line', async () => {
    const word = await rest.call('GET', '/v1/executions?created_after=yesterday', rest.readKey);
    assert.equal(word.status, 422);
    assert.deepEqual(Refusal.parse(word.json).error.issues, [
      { path: 'query.created_after', message: 'not a time: write an ISO time like 2026-01-31T12:00:00Z, a date like 2026-01-31 (its midnight UTC), or a duration ago like 90s, 10m, 1h, 7d or 1w' },
    ]);
    const bare = Refusal.parse((await rest.call('GET', '/v1/executions?created_before=5', rest.readKey)).json).error;
    assert.equal(bare.message, 'invalid query: query.created_before: "5" is ambiguous; write a duration with its unit in lower case (90s, 10m, 2h, 7d, 1w) or an ISO time');
    const months = Refusal.parse((await rest.call('GET', '/v1/executions?created_after=6M', rest.readKey)).json).error;
    assert.match(months.message, /"6M" is ambiguous/);
  });

  it('a time too far back to be one, or a day no calendar has, is a 422 saying so, not a 500 or the next month', async () => {
    const refused: Array<[string, string]> = [
      ['created_after=999999999w', '"999999999w" is too far back: write a time from 1970 on'],
      ['created_before=1969-12-31', '"1969-12-31" is too far back: write a time from 1970 on'],
      // 1969-12-31T23:00:00Z, by its offset.
      [`created_after=${encodeURIComponent('1970-01-01T01:00:00+02:00')}`, '"1970-01-01T01:00:00+02:00" is too far back: write a time from 1970 on'],
      ['created_after=2026-02-30', '"2026-02-30" is not a date: 2026-02 has 28 days'],
      ['created_after=2026-13-01', '"2026-13-01" is not a date: there is no month 13'],
    ];
    for (const [query, message] of refused) {
      const res = await rest.call('GET', `/v1/executions?${query}`, rest.readKey);
      assert.equal(res.status, 422, `${query}: ${res.text}`);
      assert.deepEqual(Refusal.parse(res.json).error.issues.map((i) => i.message), [message], query);
    }
    assert.deepEqual(await ids('created_after=2024-02-29'), [made], 'a leap day is one');
    assert.deepEqual(await ids(`created_after=${encodeURIComponent('1970-01-01T01:00:00+01:00')}`), [made], 'the first moment of 1970 is not too far back');
  });
});
