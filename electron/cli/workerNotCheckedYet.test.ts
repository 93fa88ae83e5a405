import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkerCannotRun } from '../../shared/domain.ts';
import { tempDir } from '../engine/testing/harness.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const KEY = 'HALF_BILLING_KEY';
const billingUnset = { service: 'billing', execution_type: 'shell' as const, unset: [KEY], docker: null, other: [], declined: true };

/**
 * A worker writes what it knows at once (a variable unset) before its Docker probe answers, saying which
 * kinds are still to come: `opsdeck workers` and `opsdeck runners` say those are not checked yet rather
 * than "nothing", and the record, with the interval the worker looks again at, comes back whole from either store.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a record written before some probes answered reads as such (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let pg: TestDatabase | null = null;
    let url: string;
    let store: Store;
    let registryFile: string;
    const ids = { half: 'w-half', empty: 'w-empty-so-far', whole: 'w-whole' };
    const cli = (...args: string[]) => opsdeck([...args, '--db', url, '--registry', registryFile], { COLUMNS: '400' });

    before(async () => {
      dir = await tempDir();
      if (kind === 'postgres') {
        pg = await createTestDatabase({ migrated: true });
        url = pg.url;
      } else {
        url = path.join(dir.dir, 'half.db');
        ok(await opsdeck(['migrate', '--db', url]));
      }
      store = await openStore(url);
      registryFile = path.join(dir.dir, 'registry.yaml');
      const socket = path.join(dir.dir, 'no-daemon.sock');
      await writeFile(
        registryFile,
        JSON.stringify({
          services: [
            { name: 'billing', execution_type: 'shell', runner_config: { command: ['/bin/echo'], env: [KEY] }, security_policy: { allowed_commands: ['/bin/echo'] } },
            { name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: socket }, security_policy: { allowed_images: ['alpine:3'] } },
          ],
        }),
      );
      const checked_at = new Date().toISOString();
      const records: Record<string, WorkerCannotRun> = {
        [ids.half]: { checked_at, services: [billingUnset], probing: ['docker'], looks_every_ms: 30_000 },
        [ids.empty]: { checked_at, services: [], probing: ['shell', 'docker'], looks_every_ms: 30_000 },
        [ids.whole]: { checked_at, services: [], looks_every_ms: 30_000 },
      };
      for (const [id, cannotRun] of Object.entries(records)) {
        await store.registerWorker({ id, host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
        await store.heartbeat(id, { inFlight: 0, state: 'running', cannotRun });
      }
    });

    after(async () => {
      await store.close();
      await pg?.drop();
      await dir.cleanup();
    });

    test('opsdeck workers: the services found so far, with the kinds not checked yet; "nothing" only once whole', async () => {
      const out = ok(await cli('workers')).replaceAll(/\s+/g, ' ');
      assert.match(out, /w-half .* billing \(docker not checked yet\)/);
      assert.match(out, /w-empty-so-far .* nothing so far \(shell, docker not checked yet\)/);
      assert.match(out, /w-whole .* nothing /);
      assert.match(out, new RegExp(`w-half \\(checked [^;)]+; docker not checked yet\\): billing \\(not claimed there\\): environment variable ${KEY} is not set`));

      const json = JSON.parse(ok(await cli('workers', '--json'))) as { workers: Array<{ id: string; cannot_run: unknown }> };
      const half = WorkerCannotRun.parse(json.workers.find((w) => w.id === ids.half)?.cannot_run);
      assert.deepEqual([half.probing, half.looks_every_ms], [['docker'], 30_000]);
    });

    test('opsdeck runners: a worker not checked yet for a kind is not known for that kind alone', async () => {
      const out = (await cli('runners')).stdout.replaceAll(/\s+/g, ' ');
      assert.match(out, /not known of worker w-empty-so-far \(shell, docker\), w-half \(docker\): not said what it cannot run/);
      const shell = (await cli('runners', 'shell')).stdout.replaceAll(/\s+/g, ' ');
      assert.match(shell, /not known of worker w-empty-so-far: not said/);
      assert.doesNotMatch(shell, /not known of worker [^:]*w-half/, 'its shell services were checked');
    });
  });
}
