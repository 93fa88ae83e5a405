import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { parse } from 'yaml';
import { z } from 'zod';

const ShippedConfig = z.object({
  appId: z.string(),
  productName: z.string(),
  npmRebuild: z.boolean(),
  files: z.array(z.string()),
  electronFuses: z.record(z.string(), z.boolean()),
});

const repoRoot = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

describe('electron-builder configuration', () => {
  it('validates against the installed app-builder-lib schema', async () => {
    const config: unknown = parse(await readFile(join(repoRoot, 'build', 'electron-builder.yml'), 'utf8'));
    const schema: unknown = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const Ajv = (await import('ajv')).default;
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(typeof schema === 'object' && schema !== null ? schema : {});
    const valid = validate(config);
    assert.equal(valid, true, JSON.stringify(validate.errors, null, 2));
  });

  it('ships the app, hardened', async () => {
    const config = ShippedConfig.parse(parse(await readFile(join(repoRoot, 'build', 'electron-builder.yml'), 'utf8')));
    assert.equal(config.appId, 'dev.opsdeck.app');
    assert.equal(config.productName, 'opsdeck');
    assert.equal(config.npmRebuild, false);
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    for (const pattern of ['dist/**', 'migrations/**', 'examples/**', 'package.json']) assert.ok(config.files.includes(pattern), pattern);
    const pkg = z.object({ main: z.string() }).parse(JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')));
    assert.equal(pkg.main, 'dist/main/main.cjs');
  });

  it('has a 512x512 RGBA icon', async () => {
    const png = await readFile(join(repoRoot, 'build', 'icon.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.equal(png.readUInt32BE(16), 512);
    assert.equal(png.readUInt32BE(20), 512);
    assert.equal(png[25], 6);
    const idatAt = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
    assert.equal(raw.length, (512 * 4 + 1) * 512);
  });
});
