import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const REGISTRY = JSON.stringify({ services: [{ name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3' }, security_policy: { allowed_images: ['alpine:3'] } }] });

/** What a worker said it cannot run, with what a daemon and a program printed: a password and a token among it. */
const SAID = {
  checked_at: '2026-12-07T12:00:00.000Z',
  services: [
    {
      service: 'thumbs',
      execution_type: 'docker',
      unset: [],
      docker: 'Docker daemon at /var/run/docker.sock not answering (login failed: password=dock-pw)',
      other: ['the registry said token: other-tok'],
      declined: false,
    },
  ],
};
/** A newer worker's record, naming a runner kind this version has not heard of. */
const NEWER = { checked_at: '2026-12-07T12:00:00.000Z', services: [{ service: 'edge', execution_type: 'wasm', unset: [], docker: null, other: [], declined: true }] };

const Workers = z.object({ workers: z.array(z.object({ id: z.string(), cannot_run: z.unknown() }).loose()) }).loose();

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`REST API v1 on ${dialect}: what workers say they cannot run`, () => {
    let dir = '';
    let database: TestDatabase | null = null;
    let rest: RestFixture;

    /** Writes a worker row's record as a worker of another version might have: not through this version's store. */
    const writeRecord = async (id: string, text: string) => {
      if (database !== null) {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          await client.query('UPDATE jobs.tb_worker SET cannot_run = $2::jsonb WHERE id = $1', [id, text]);
        } finally {
          await client.end();
        }
      } else {
        const raw = new Database(rest.runtime.ctx.store.location);
        try {
          raw.prepare('UPDATE tb_worker SET cannot_run = ? WHERE id = ?').run(text, id);
        } finally {
          raw.close();
        }
      }
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-cannotrun-rest-'));
      const registryPath = join(dir, 'registry.yaml');
      await writeFile(registryPath, REGISTRY);
      if (dialect === 'postgres') database = await createTestDatabase({ migrated: true });
      rest = await startRestFixture(registryPath, { PATH: process.env.PATH }, database?.url);
      const { store } = rest.runtime.ctx;
      for (const id of ['said', 'newer', 'broken']) await store.registerWorker({ id, host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null, services: ['thumbs'] });
      await writeRecord('said', JSON.stringify(SAID));
      await writeRecord('newer', JSON.stringify(NEWER));
      await writeRecord('broken', dialect === 'sqlite' ? '{"checked_at": ' : JSON.stringify({ checked_at: 5, services: 'none' }));
    });

    after(async () => {
      await rest.close();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('a record this version cannot read is not known, and the other workers are listed as ever', async () => {
      const answer = await rest.call('GET', '/v1/workers', rest.operateKey);
      assert.equal(answer.status, 200, answer.text);
      const byId = new Map(Workers.parse(answer.json).workers.map((w) => [w.id, w.cannot_run]));
      assert.deepEqual(byId.get('said'), SAID);
      assert.equal(byId.get('newer'), null);
      assert.equal(byId.get('broken'), null);
      const runners = await rest.call('GET', '/v1/runners', rest.operateKey);
      assert.equal(runners.status, 200, runners.text);
    });

    it("a read key gets the daemon's and the other reasons' words with their secrets cut; an operate key gets them whole", async () => {
      for (const path of ['/v1/workers', '/v1/runners']) {
        const read = await rest.call('GET', path, rest.readKey);
        assert.equal(read.status, 200, read.text);
        assert.doesNotMatch(read.text, /dock-pw|other-tok/, path);
        assert.match(read.text, /login failed: password=\[redacted\]/, path);
        assert.match(read.text, /the registry said token: \[redacted\]/, path);
        assert.match((await rest.call('GET', path, rest.operateKey)).text, /password=dock-pw/, path);
      }
    });
  });
}
