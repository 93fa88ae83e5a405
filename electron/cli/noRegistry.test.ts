import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_REGISTRY_PATH } from '../api/handlers/demo.ts';
import { opsdeck } from './testing/opsdeck.ts';

const NO_REGISTRY = 'no registry loaded: pass --registry FILE (or set OPSDECK_REGISTRY)';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-no-registry-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a worker without a registry', () => {
  it('refuses to start, exit 2, saying it would run nothing and how to give it one', async () => {
    const db = join(dir, 'worker.db');
    const bare = await opsdeck(['worker', '--until-empty', '--db', db]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '', 'no "worker started": nothing looks alive');
    assert.equal(bare.stderr.trim(), `opsdeck: a worker without a registry runs nothing (every job it claims goes back unrun): ${NO_REGISTRY}; see opsdeck worker --help`);
    const fromEnv = await opsdeck(['worker', '--until-empty', '--log-format', 'text', '--db', db], { OPSDECK_REGISTRY: DEMO_REGISTRY_PATH });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /worker started/);
  });
});
