import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

/**
 * A store's own words name its database, role and file, and so do its hints (`createdb acme_prod`,
 * `GRANT … TO app_ro`): a caller not entitled to learn where the store is (a key that could not be checked,
 * a read key) is told the kind of failure and a generic action, never those names.
 */
describe('REST API v1: what a caller not entitled to the store\'s whereabouts is told of its failures', () => {
  let dir = '';
  let rest: RestFixture;
  let store: Store;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-blind-outage-'));
    const registryPath = join(dir, 'registry.yaml');
    await writeFile(registryPath, 'services:\n  - name: billing\n    execution_type: noop\n');
    rest = await startRestFixture(registryPath, {});
    store = rest.runtime.ctx.store;
  });

  after(async () => {
    rest.runtime.ctx.store = store;
    await rest.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a key that could not be checked gets the kind and a generic action, not the database in the hint', async () => {
    rest.runtime.ctx.store = storeWith(store, {
      findApiKey: () => Promise.reject(new StoreError('no_database', 'database "acme_prod" does not exist on db.internal:5432', 'create it (createdb acme_prod) or fix the URL')),
    });
    try {
      const answer = await rest.call('GET', '/v1/status', `odk_0123456789ab_${'x'.repeat(43)}`);
      assert.equal(answer.status, 503, answer.text);
      assert.doesNotMatch(answer.text, /acme_prod|db\.internal/);
      assert.deepEqual(answer.json, {
        error: {
          code: 'unavailable',
          message: "the sqlite store does not answer: its database does not exist; where and why, in its own words: that needs an API key this host could check, which it cannot while its store does not answer",
          action: "create the store's database, or fix its location where this opsdeck runs",
        },
      });
    } finally {
      rest.runtime.ctx.store = store;
    }
  });

  it("a read key's failed call is told the same; an operate key the store's own words", async () => {
    const denied = () => Promise.reject(new StoreError('permission', 'the PostgreSQL role app_ro may not read table jobs.tb_job_run', 'GRANT SELECT ON ALL TABLES IN SCHEMA jobs TO app_ro'));
    rest.runtime.ctx.store = storeWith(store, { listJobs: denied });
    try {
      const read = await rest.call('GET', '/v1/executions', rest.readKey);
      assert.equal(read.status, 503, read.text);
      assert.doesNotMatch(read.text, /app_ro|tb_job_run/);
      assert.match(read.text, /its role lacks a privilege/);
      const operate = await rest.call('GET', '/v1/executions', rest.operateKey);
      assert.equal(operate.status, 503, operate.text);
      assert.match(operate.text, /app_ro may not read table jobs\.tb_job_run/);
    } finally {
      rest.runtime.ctx.store = store;
    }
  });

  it('the integrity check tells a read key its verdict, not the file it read', async () => {
    const read = await rest.call('GET', '/v1/health/integrity', rest.readKey);
    assert.equal(read.status, 200, read.text);
    assert.doesNotMatch(read.text, /\.db|opsdeck-sqlite/);
    assert.match(read.text, /intact/);
    const operate = await rest.call('GET', '/v1/health/integrity', rest.operateKey);
    assert.match(operate.text, /PRAGMA quick_check of \/.*: ok/);
  });
});
