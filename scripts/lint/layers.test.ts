import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/**
 * The layer rules of eslint.config.js against fixture files that exist only as text: each wrong import
 * is reported with its layer's message, one folder deep and deeper, and a right one is not.
 */
const repoRoot = resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: join(repoRoot, 'eslint.config.js') });

async function lint(file: string, text: string): Promise<Array<{ ruleId: string | null; message: string }>> {
  const [result] = await eslint.lintText(text, { filePath: join(repoRoot, file) });
  assert.ok(result, file);
  return result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const HEADLESS = 'the engine runs headless: it never reaches up into the API or a host.';
const HOST = 'a host imports api/ and below; hosts meet only through a seam named in eslint.config.js.';

/** [fixture file, import specifier, the layer and target the report names, the layer's message] */
const wrong: Array<[string, string, string, string]> = [
  ['shared/fixture.ts', '../electron/store/store.ts', 'shared/ may not import electron/store/store.ts', 'shared/ is pure: nothing of ours above it.'],
  ['shared/deeper/fixture.ts', '../../renderer/src/App.tsx', 'shared/ may not import renderer/src/App.tsx', 'shared/ is pure: nothing of ours above it.'],
  ['electron/store/fixture.ts', '../engine/engine.ts', 'electron/store/ may not import electron/engine/engine.ts', 'the store imports only shared/.'],
  ['electron/store/sqlite/fixture.ts', '../../runners/shell.ts', 'electron/store/ may not import electron/runners/shell.ts', 'the store imports only shared/.'],
  ['electron/runners/fixture.ts', '../engine/engine.ts', 'electron/runners/ may not import electron/engine/engine.ts', HEADLESS],
  ['electron/engine/fixture.ts', '../api/dispatch.ts', 'electron/engine/ may not import electron/api/dispatch.ts', HEADLESS],
  ['electron/engine/testing/fixture.ts', '../../api/dispatch.ts', 'electron/engine/ may not import electron/api/dispatch.ts', HEADLESS],
  ['electron/config/fixture.ts', '../main/main.ts', 'electron/config/ may not import electron/main/main.ts', HEADLESS],
  ['electron/api/fixture.ts', '../main/ipc.ts', 'electron/api/ may not import electron/main/ipc.ts', 'handlers know no host.'],
  ['electron/api/handlers/fixture.ts', '../../server/server.ts', 'electron/api/ may not import electron/server/server.ts', 'handlers know no host.'],
  ['electron/api/testing/fixture.ts', '../../cli/main.ts', 'electron/api/ may not import electron/cli/main.ts', 'handlers know no host.'],
  ['electron/console/fixture.ts', '../api/dispatch.ts', 'electron/console/ may not import electron/api/dispatch.ts', "electron/console/ is what both hosts share: it imports only shared/."],
  ['electron/main/fixture.ts', '../server/server.ts', 'electron/main/ may not import electron/server/server.ts', HOST],
  ['electron/main/testing/fixture.ts', '../../cli/main.ts', 'electron/main/ may not import electron/cli/main.ts', HOST],
  ['electron/server/fixture.ts', '../main/ipc.ts', 'electron/server/ may not import electron/main/ipc.ts', HOST],
  ['electron/server/fixture.ts', '../../scripts/build.ts', 'electron/server/ may not import scripts/build.ts', HOST],
  ['electron/cli/commands/fixture.ts', '../../server/server.ts', 'electron/cli/ may not import electron/server/server.ts', HOST],
  ['electron/cli/commands/fixture.ts', '../../main/ipc.ts', 'electron/cli/ may not import electron/main/ipc.ts', HOST],
  ['renderer/src/fixture.ts', '../../electron/api/dispatch.ts', 'renderer/ may not import electron/api/dispatch.ts', 'the renderer talks only through shared/.'],
  ['renderer/src/features/jobs/fixture.tsx', '../../../../electron/store/store.ts', 'renderer/ may not import electron/store/store.ts', 'the renderer talks only through shared/.'],
];

describe('the layer rules', () => {
  for (const [file, specifier, names, message] of wrong) {
    it(`report ${specifier} from ${file}`, async () => {
      const expected = [{ ruleId: 'opsdeck/layers', message: `${names}: ${message}` }];
      assert.deepEqual(await lint(file, `import { a } from '${specifier}';\nexport const b = a;\n`), expected, 'a static import');
      assert.deepEqual(await lint(file, `export { a } from '${specifier}';\n`), expected, 're-exported');
      assert.deepEqual(await lint(file, `export const b = () => import('${specifier}');\n`), expected, 'a dynamic import');
    });
  }

  it('pass imports down the layers, within a layer, and through a named seam', async () => {
    const right: Array<[string, string]> = [
      ['shared/fixture.ts', './domain.ts'],
      ['electron/store/sqlite/fixture.ts', '../../../shared/domain.ts'],
      ['electron/store/sqlite/fixture.ts', '../store.ts'],
      ['electron/engine/testing/fixture.ts', '../../store/testing/sqliteTestDb.ts'],
      ['electron/api/handlers/fixture.ts', '../../engine/breakerView.ts'],
      ['electron/api/fixture.ts', '../../package.json'],
      ['electron/main/fixture.ts', '../console/csp.ts'],
      ['electron/server/testing/fixture.ts', '../../api/dispatch.ts'],
      ['electron/cli/commands/fixture.ts', '../../server/serve.ts'],
      ['electron/server/hosts.test.ts', '../main/ipc.ts'],
      ['renderer/src/features/jobs/fixture.tsx', '../../../../shared/isStuck.ts'],
      ['scripts/fixture.ts', '../electron/main/main.ts'],
    ];
    for (const [file, specifier] of right) {
      assert.deepEqual(await lint(file, `import { a } from '${specifier}';\nexport const b = a;\n`), [], `${specifier} from ${file}`);
    }
  });

  it('keep the electron module to electron/main, at any depth', async () => {
    const expected = [{ ruleId: 'no-restricted-imports', message: "'electron' import is restricted from being used. Only electron/main may import the electron module." }];
    assert.deepEqual(await lint('electron/api/handlers/fixture.ts', "import { app } from 'electron';\nexport const b = app;\n"), expected);
    assert.deepEqual(await lint('electron/main/fixture.ts', "import { app } from 'electron';\nexport const b = app;\n"), []);
  });

  it('keep Node out of shared/, and let its tests use the test runner', async () => {
    const [node] = await lint('shared/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const b = readFileSync;\n");
    assert.equal(node?.ruleId, 'no-restricted-imports');
    assert.match(node?.message ?? '', /shared\/ is pure: no Node/);
    assert.deepEqual(await lint('shared/fixture.test.ts', "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nexport const b = [test, assert];\n"), []);
  });
});
