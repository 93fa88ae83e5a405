import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page, type Route } from '@playwright/test';
import { z } from 'zod';
import { findingsInBothThemes, report, type Finding } from './support/axe.ts';
import { callThroughPage } from './support/call.ts';
import { startConsole, type RunningConsole } from './support/serve.ts';

/*
 * Issue 21's bar: every page, in light and dark, in every state it can show, has no serious or critical
 * WCAG 2.2 AA violation. A console of its own, because it starts on an empty store and then loads the
 * demo, as an operator's first run does: the tests run in file order and the first needs the empty store.
 */

let opsdeck: RunningConsole;
let dir: string;

// Checked standing still: a turning spinner makes every contrast sample wait for a frame. Motion itself
// is checked once, below, both ways.
test.use({ reducedMotion: 'reduce' });

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-a11y-'));
  opsdeck = await startConsole({ db: join(dir, 'a11y.db') });
});

test.afterAll(async () => {
  await opsdeck?.stop();
  await rm(dir, { recursive: true, force: true });
});

const Groups = z.object({ total: z.number() });
const Registry = z.object({ services: z.array(z.object({ name: z.string() })) });
const Jobs = z.object({ jobs: z.array(z.object({ id: z.number() })) });
const REFUSED = { json: { ok: false, error: { code: 'forbidden', message: 'This session is not signed in.' } } };

async function signIn(page: Page): Promise<void> {
  await page.goto(opsdeck.url);
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
}

/** Loads the demo once and waits until it has failed jobs to show; later tests find it loaded. */
async function withDemo(page: Page): Promise<void> {
  const registry = Registry.parse(await callThroughPage(page, 'registry.get', {}));
  if (registry.services.length === 0) await callThroughPage(page, 'demo.start', { jobs: 120 });
  await expect.poll(async () => Groups.parse(await callThroughPage(page, 'dlq.groups', {})).total, { timeout: 60_000 }).toBeGreaterThan(0);
}

/** Every page the router offers, read from the navigation itself so a new page is checked without a change here. */
async function routes(page: Page): Promise<Array<{ name: string; hash: string }>> {
  const links = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
  const found: Array<{ name: string; hash: string }> = [];
  for (const link of await links.all()) {
    found.push({ name: (await link.innerText()).replace(/\s*[\d+]+$/, '').trim(), hash: (await link.getAttribute('href')) ?? '' });
  }
  expect(found.length).toBeGreaterThanOrEqual(7);
  return found;
}

async function show(page: Page, hash: string): Promise<void> {
  await page.goto(`${opsdeck.origin}/${hash}`);
}

async function loaded(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.state-loading')).toHaveCount(0);
}

async function everyPage(page: Page, state: string, ready: (page: Page) => Promise<void>): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const route of await routes(page)) {
    await show(page, route.hash);
    await ready(page);
    found.push(...(await findingsInBothThemes(page, `${route.name}, ${state}`)));
  }
  return found;
}

test('empty store: every page in both themes has no serious or critical violation', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('region', { name: 'Welcome to opsdeck' })).toBeVisible();
  const found = await everyPage(page, 'empty store', loaded);
  expect(found, report(found)).toEqual([]);
});

test('after the demo: every page in both themes has no serious or critical violation', async ({ page }) => {
  await signIn(page);
  await withDemo(page);
  const found = await everyPage(page, 'demo', loaded);
  expect(found, report(found)).toEqual([]);
});

test('loading, refused calls and a lost host: every page in both themes, motion off when asked', async ({ page }) => {
  // The live feed is answered here and says nothing, so no tick fills a page that should stay loading.
  await page.routeWebSocket('**/api/events', () => undefined);
  await signIn(page);
  const found: Finding[] = [];
  const pages = await routes(page);

  // Calls are held unanswered (every page stays loading), then refused, page by page from a fresh start.
  const held: Route[] = [];
  let refusing = false;
  await page.route('**/api/call/**', async (route) => {
    if (refusing) await route.fulfill(REFUSED);
    else held.push(route);
  });
  for (const route of pages) {
    refusing = false;
    await show(page, route.hash);
    await page.reload();
    await expect(page.locator('.state-loading').first()).toBeVisible();
    found.push(...(await findingsInBothThemes(page, `${route.name}, loading`)));
    refusing = true;
    // Requests of the document before the reload are gone: answering them fails, and that is fine.
    for (const call of held.splice(0)) await call.fulfill(REFUSED).catch(() => undefined);
    await expect(page.getByRole('alert').filter({ hasText: 'Could not load' }).first()).toBeVisible();
    found.push(...(await findingsInBothThemes(page, `${route.name}, refused`)));
  }
  // Motion is decoration: the spinner turns, unless the operator asked for less motion.
  refusing = false;
  await page.reload();
  const spinner = page.locator('.spinner').first();
  await expect(spinner).toBeVisible();
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(spinner).toHaveCSS('animation-name', 'spin');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(spinner).toHaveCSS('animation-name', 'none');

  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.route('**/api/call/**', (route) => route.fulfill({ json: { ok: false, error: { code: 'unavailable', message: 'database is locked' } } }));
  await page.routeWebSocket('**/api/events', (socket) => socket.close());
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: 'Store unavailable' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Live updates disconnected' })).toBeVisible();
  found.push(...(await findingsInBothThemes(page, 'Overview, store and live feed down')));
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  expect(found, report(found)).toEqual([]);
});

test('dialogs, drawers, notices, banners and the shortcut sheet in both themes', async ({ page }) => {
  await signIn(page);
  await withDemo(page);
  const found: Finding[] = [];
  const check = async (where: string, scope?: string[]) => found.push(...(await findingsInBothThemes(page, where, scope)));
  // A dialog is checked with what stays reachable beside it (the topbar, with the stop); the page under it was checked before.
  const DIALOG = ['[role="dialog"]', '.topbar'];

  // Dead letters: a group open with a job ticked, then a bulk action's dialog, then its result.
  await show(page, '#/dlq');
  await loaded(page);
  await page.getByRole('button', { name: /^Open group/ }).first().click();
  await page.getByRole('checkbox', { name: /^Select job / }).first().check();
  await check('Dead letters, group open, one job ticked');
  await page.getByRole('button', { name: 'Retry selected' }).click();
  const bulk = page.getByRole('dialog', { name: 'Retry 1 selected job' });
  await expect(bulk.getByRole('button', { name: 'Retry 1 job' })).toBeEnabled();
  await check('Dead letters, bulk action dialog', DIALOG);
  await bulk.getByRole('button', { name: 'Retry 1 job' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Retried 1 job.');
  await check('Dead letters, result notice', ['.notices']);

  // Jobs: a failed job's trace, a trace that cannot be found, and the custom time window.
  const failed = Jobs.parse(await callThroughPage(page, 'jobs.list', { filter: { status: ['failed'] }, limit: 1 })).jobs[0];
  expect(failed).toBeDefined();
  await show(page, `#/jobs?from=2020-01-01T00:00&job=${failed?.id}`);
  await expect(page.getByRole('dialog').getByRole('list', { name: 'Attempts' })).toBeVisible();
  await check('Jobs, custom window, a failed job open');
  await show(page, '#/jobs?job=987654321');
  await expect(page.getByRole('dialog').getByRole('alert')).toHaveText('No job with id or identifier "987654321".');
  await check('Jobs, a job that does not exist', DIALOG);

  // Settings: a refused registry and a store that does not answer.
  await show(page, '#/settings');
  await loaded(page);
  await page.getByLabel('Registry file').fill(join(dir, 'missing.yaml'));
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByLabel('Store URL or SQLite file').fill('postgres://nobody@127.0.0.1:1/none');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page.locator('.callout').filter({ hasText: /./ })).toHaveCount(2);
  await check('Settings, refused registry and failed connection test');

  // The shortcut sheet, and the stop's own dialog.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await check('Keyboard shortcuts sheet', DIALOG);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Emergency stop with a reason' }).click();
  await expect(page.getByRole('dialog', { name: 'Emergency stop with a reason' })).toBeVisible();
  await check('Emergency stop with a reason dialog', DIALOG);
  await page.keyboard.press('Escape');

  // Workflows: a run open, drawn as a graph beside its task table.
  const started = z.object({ run_id: z.number() }).parse(await callThroughPage(page, 'workflows.run', { workflow: 'nightly_report' }));
  await show(page, `#/workflows?run=${started.run_id}`);
  await expect(page.getByRole('img', { name: /as a graph/ })).toBeVisible();
  await check('Workflows, a run open as a graph');

  // Breakers forced, safe mode and a paused queue: rows and banners that tint the page.
  await callThroughPage(page, 'breakers.setMode', { service: 'billing_webhook', mode: 'force_open' });
  await callThroughPage(page, 'control.safeMode', { enabled: true, reason: 'a11y check' });
  await callThroughPage(page, 'control.pauseQueue', { queue: 'default', paused: true });
  await show(page, '#/breakers');
  await expect(page.getByRole('region', { name: 'Safe mode' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'billing_webhook' })).toContainText('force open');
  await check('Breakers, one forced open, safe mode and a paused queue');
  await callThroughPage(page, 'control.safeMode', { enabled: false });
  await callThroughPage(page, 'control.pauseQueue', { queue: 'default', paused: false });
  await callThroughPage(page, 'breakers.setMode', { service: 'billing_webhook', mode: 'auto' });

  // The emergency stop engaged, and its resume dialog.
  await show(page, '#/');
  await callThroughPage(page, 'control.emergencyStop', { reason: 'a11y check' });
  const banner = page.getByRole('region', { name: 'Emergency stop engaged' });
  await expect(banner).toBeVisible();
  await check('Overview, emergency stop engaged');
  // Schedules under the stop: its banner, and one schedule's fire history open (the demo registry's schedule).
  const Schedules = z.object({ schedules: z.array(z.object({ name: z.string() })) });
  await expect.poll(async () => Schedules.parse(await callThroughPage(page, 'schedules.list', {})).schedules.map((s) => s.name)).toContain('nightly_echo_report');
  await callThroughPage(page, 'schedules.runNow', { name: 'nightly_echo_report' });
  await show(page, '#/schedules?name=nightly_echo_report');
  await expect(page.getByRole('table', { name: 'Fires of nightly_echo_report' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'schedules fire nothing' })).toBeVisible();
  await check('Schedules, emergency stop engaged, a fire history open');
  await show(page, '#/');
  await banner.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('dialog', { name: 'Resume dispatch?' })).toBeVisible();
  await check('Overview, resume dialog', DIALOG);
  await page.getByRole('dialog', { name: 'Resume dispatch?' }).getByRole('button', { name: 'Resume dispatch' }).click();
  await expect(banner).toHaveCount(0);

  expect(found, report(found)).toEqual([]);
});
