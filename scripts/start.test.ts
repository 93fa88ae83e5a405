import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { electronBinary } from './start.ts';

describe('npm start', () => {
  it('finds the Electron binary only when its download completed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'opsdeck-start-'));
    try {
      const pkg = join(root, 'node_modules', 'electron');
      await mkdir(join(pkg, 'dist'), { recursive: true });
      assert.equal(electronBinary(root, {}), null);
      await writeFile(join(pkg, 'path.txt'), 'electron');
      assert.equal(electronBinary(root, {}), null);
      await writeFile(join(pkg, 'dist', 'electron'), '');
      assert.equal(electronBinary(root, {}), join(pkg, 'dist', 'electron'));
      assert.equal(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'elsewhere') }), null);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
