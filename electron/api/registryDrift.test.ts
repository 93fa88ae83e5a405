import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkerInfo } from '../../shared/domain.ts';
import { RegistryHolder } from '../config/holder.ts';
import { registryDigest } from '../config/registryDigest.ts';
import { registryDrift, withDrift } from './registryDrift.ts';

const OLD = 'services:\n  - name: billing\n    execution_type: noop\n';
const NEW = 'services:\n  - name: billing\n    execution_type: noop\n  - name: reports\n    execution_type: noop\n';
const short = (text: string) => registryDigest(text).slice(0, 12);

function worker(id: string, over: Partial<WorkerInfo>): WorkerInfo {
  return {
    id, name: null, host: os.hostname(), pid: 42, version: '0.1.0', started_at: '2026-12-07T12:00:00.000Z', concurrency: 1, queues: null, services: null,
    in_flight: 0, state: 'running', last_heartbeat_at: new Date().toISOString(), memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: false, ...over,
  };
}

describe('registryDrift: live workers whose registry is not the file read here', () => {
  let dir: string;
  let file: string;
  let holder: RegistryHolder;
  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'opsdeck-drift-'));
    file = join(dir, 'registry.yaml');
    await writeFile(file, NEW);
    await symlink(file, join(dir, 'link.yaml'));
    holder = new RegistryHolder({});
    assert.equal((await holder.loadFile(file)).ok, true);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const old = (path: string | null) => ({ digest: registryDigest(OLD), path, loaded_at: '2026-12-07T12:01:00.000Z' });

  it('a worker on this host that read this file, by any name, is told to reload; one level with it, lost or of an older version is not named', async () => {
    const fleet = [
      worker('w1', { registry: old(file) }),
      worker('w2', { registry: old(join(dir, 'link.yaml')) }),
      worker('level', { registry: { digest: registryDigest(NEW), path: file, loaded_at: '2026-12-07T12:02:00.000Z' } }),
      worker('lost', { registry: old(file), lost: true }),
      worker('older', { registry: null }),
    ];
    const lines = await registryDrift({ registry: holder, hostHidden: undefined }, fleet);
    assert.deepEqual(lines.map((l) => l.worker_id), ['w1', 'w2']);
    assert.deepEqual(lines.map((l) => l.detail), [
      `worker w1 runs registry ${short(OLD)} loaded 2026-12-07T12:01:00.000Z; the file ${file} is now ${short(NEW)}: send it SIGHUP to reload (kill -HUP 42 on ${os.hostname()})`,
      `worker w2 runs registry ${short(OLD)} loaded 2026-12-07T12:01:00.000Z; the file ${file} is now ${short(NEW)}: send it SIGHUP to reload (kill -HUP 42 on ${os.hostname()})`,
    ]);
  });

  it('another host: the same path is compared as a copy, another path as a different file, each said carefully', async () => {
    const fleet = [worker('far', { host: 'host-b', registry: old(file) }), worker('elsewhere', { host: 'host-c', registry: old('/etc/opsdeck/registry.yaml') })];
    const [same, other] = (await registryDrift({ registry: holder, hostHidden: undefined }, fleet)).map((d) => d.detail);
    assert.equal(same, `worker far runs registry ${short(OLD)} loaded 2026-12-07T12:01:00.000Z from ${file} on host-b; that path here is now ${short(NEW)}: if host-b's copy was changed too, send it SIGHUP to reload (kill -HUP 42 on host-b)`);
    assert.match(other ?? '', /^worker elsewhere runs registry \w+ loaded \S+ from \/etc\/opsdeck\/registry\.yaml on host-c, not .* read here: a different file, perhaps on purpose/);
  });

  it('a caller blind to the host is not told where the file is; the check becomes a warning, never a failure', async () => {
    const [line] = await registryDrift({ registry: holder, hostHidden: 'rest' }, [worker('w1', { registry: old(file) })]);
    assert.ok(line);
    assert.match(line.detail, /; the registry file is now /);
    assert.doesNotMatch(line.detail, new RegExp(dir));
    const check = withDrift({ name: 'registry', ok: true, detail: '2 service(s)' }, [line]);
    assert.deepEqual([check.ok, check.warning], [true, true]);
    assert.deepEqual(withDrift({ name: 'registry', ok: true, detail: 'x' }, []), { name: 'registry', ok: true, detail: 'x' });
  });
});
