import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { ENV, requireEnv } from './support/env.ts';

const SYNTAX_ERROR = 'services:\n  - name: broken\n    execution_type: noop\n    runner_config: { sleep_ms: 10\n  - name: next\n    execution_type: noop\n';
const CYCLE = [
  'services:',
  '  - name: etl_step',
  '    execution_type: noop',
  'workflows:',
  '  - name: nightly_etl',
  '    tasks:',
  '      - { name: extract, service: etl_step, depends_on: [load] }',
  '      - { name: load, service: etl_step, depends_on: [extract] }',
  '',
].join('\n');

test('registry problems are shown with the file they were found in; typing another path clears them', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const dir = await mkdtemp(join(requireEnv(ENV.dir), 'registry-settings-'));
  const broken = join(dir, 'broken.yaml');
  const cycle = join(dir, 'cycle.yaml');
  await writeFile(broken, SYNTAX_ERROR);
  await writeFile(cycle, CYCLE);
  try {
    await opsdeck.open('/settings');
    const registry = page.getByRole('region', { name: 'Service registry' });
    const field = registry.getByLabel('Registry file');
    const problems = registry.locator('.problems li');

    await field.fill(broken);
    await registry.getByRole('button', { name: 'Validate' }).click();
    await expect(registry.getByRole('status').filter({ hasText: 'Not valid' })).toContainText(broken);
    await expect(problems.first()).toContainText(`${broken}:`);

    // Another path typed: the other file's problems are gone, not relabelled with it.
    await field.fill(cycle);
    await expect(registry.getByRole('status').filter({ hasText: 'Not valid' })).toHaveCount(0);
    await expect(registry.getByText(`${cycle}:`)).toHaveCount(0);

    // A validation of a missing file, then Load of another: only the load's problems, each with its file.
    await field.fill(join(dir, 'nonexistent.yaml'));
    await registry.getByRole('button', { name: 'Validate' }).click();
    await expect(registry.getByRole('status').filter({ hasText: 'Not valid' })).toContainText('file not found');
    await field.fill(cycle);
    await registry.getByRole('button', { name: 'Load' }).click();
    await expect(registry.getByRole('alert').filter({ hasText: 'the registry in use is unchanged' })).toContainText('dependency cycle');
    await expect(registry.getByText('file not found')).toHaveCount(0);
    await expect(registry.getByText(/nonexistent/)).toHaveCount(0);

    // After a reload, the refused load's problems are still labelled with its file, not the one in use.
    await page.reload();
    await expect(registry.getByRole('alert').filter({ hasText: 'The registry was refused' })).toContainText(`${cycle}:`);
    await expect(field).not.toHaveValue(cycle);
  } finally {
    // The shared console goes back to a clean load of its own registry for the specs after this one.
    await opsdeck.call('registry.load', { path: requireEnv(ENV.registry) });
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file that is no registry is one problem, its contents never shown', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const dir = await mkdtemp(join(requireEnv(ENV.dir), 'registry-foreign-'));
  const shadow = join(dir, 'shadow');
  await writeFile(shadow, 'root:$y$j9T$secrethash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
  try {
    await opsdeck.open('/settings');
    const registry = page.getByRole('region', { name: 'Service registry' });
    // The validation's own problems, not the warnings of the registry in use (e2e_auth's variable is not set here).
    const problems = registry.getByRole('status').locator('.problems li');
    for (const [file, why] of [
      [shadow, 'none of its 2 top-level keys is one a registry has'],
      // The console's own store: the likeliest wrong file.
      [join(requireEnv(ENV.dir), 'e2e.db'), 'it is an SQLite database'],
    ] as const) {
      await registry.getByLabel('Registry file').fill(file);
      await registry.getByRole('button', { name: 'Validate' }).click();
      await expect(problems).toHaveCount(1);
      await expect(problems).toContainText(`${file} (document): the file is not a YAML registry: ${why}`);
    }
    await expect(registry).not.toContainText('root');
    await expect(registry).not.toContainText('unknown key');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('each service of the registry in use shows the retry strategy its jobs get', async ({ opsdeck }) => {
  await opsdeck.open('/settings');
  const services = opsdeck.page.getByRole('region', { name: 'Service registry' }).getByRole('table', { name: 'Services' });
  await expect(services.getByRole('columnheader', { name: 'Retry' })).toBeVisible();
  await expect(services.getByRole('row', { name: /^e2e_flaky\b/ })).toContainText('1 retry, each after a random wait up to 0.05s, ×2 each time, at most 300s');
});
