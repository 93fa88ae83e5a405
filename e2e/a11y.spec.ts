import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { findingsInBothThemes, report, type Finding } from './support/axe.ts';
import { callThroughPage } from './support/call.ts';
import { startConsole, type RunningConsole } from './support/serve.ts';

// A console of its own: it starts on an empty store, then loads the demo, as an operator's first run does.


let opsdeck: RunningConsole;
let dir: string;

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-a11y-'));
  opsdeck = await startConsole({ db: join(dir, 'a11y.db') });
});

test.afterAll(async () => {
  await opsdeck?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(opsdeck.url);
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
}

/** Every page the router offers, read from the navigation itself so a new page is checked without a change here. */
async function routes(page: Page): Promise<Array<{ name: string; hash: string }>> {
  const links = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
  const found: Array<{ name: string; hash: string }> = [];
  for (const link of await links.all()) {
    const hash = (await link.getAttribute('href')) ?? '';
    found.push({ name: (await link.innerText()).replace(/\s*\d[\d+]*$/, '').trim(), hash });
  }
  expect(found.length).toBeGreaterThanOrEqual(7);
  return found;
}

async function show(page: Page, hash: string): Promise<void> {
  await page.goto(`${opsdeck.origin}/${hash}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

async function settled(page: Page): Promise<void> {
  await expect(page.locator('.state-loading')).toHaveCount(0);
}

async function checkEveryPage(page: Page, state: string, wait: (page: Page) => Promise<void>): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const route of await routes(page)) {
    await show(page, route.hash);
    await wait(page);
    found.push(...(await findingsInBothThemes(page, `${route.name}, ${state}`)));
  }
  return found;
}

test('empty store: every page in both themes has no serious or critical violation', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('region', { name: 'Welcome to opsdeck' })).toBeVisible();
  const found = await checkEveryPage(page, 'empty store', settled);
  expect(found, report(found)).toEqual([]);
});

test('after the demo: every page in both themes has no serious or critical violation', async ({ page }) => {
  await signIn(page);
  await callThroughPage(page, 'demo.start', { jobs: 120 });
  // Wait for what the pages show once the demo ran a while: finished jobs and dead letters.
  await expect.poll(async () => ((await callThroughPage(page, 'dlq.groups', {})) as { total: number }).total, { timeout: 60_000 }).toBeGreaterThan(0);
  const found = await checkEveryPage(page, 'demo', settled);
  expect(found, report(found)).toEqual([]);
});
