import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { upToDate } from './freshness.ts';

describe('build freshness', () => {
  it('rebuilds only when an input is newer than the outputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-fresh-'));
    try {
      const input = join(dir, 'in', 'a.ts');
      const output = join(dir, 'out.js');
      await mkdir(join(dir, 'in'));
      await writeFile(input, 'x');
      assert.equal(await upToDate([output], [join(dir, 'in')]), false);
      await writeFile(output, 'y');
      await utimes(input, new Date(1000_000), new Date(1000_000));
      assert.equal(await upToDate([output], [join(dir, 'in')]), true);
      await utimes(input, new Date(), new Date(Date.now() + 60_000));
      assert.equal(await upToDate([output], [join(dir, 'in')]), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
