import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { z } from 'zod';
import { OverviewSeries } from '../shared/contract.ts';
import { Job } from '../shared/domain.ts';
import { callThroughPage } from './support/call.ts';
import { ENV, requireEnv } from './support/env.ts';
import { startConsole } from './support/serve.ts';

/**
 * Kathmandu: +05:45 all year (no summer time to make the expected times depend on the date), and an offset
 * no one could take for UTC, in hours or in minutes.
 */
const SCREENSHOT = fileURLToPath(new URL('./screenshots/times-utc.png', import.meta.url));
const ZONE = 'Asia/Kathmandu';
const OFFSET_MS = (5 * 60 + 45) * 60_000;
test.use({ timezoneId: ZONE });

/** The expected forms of a moment, worked out here without the console's formatter: local with +05:45, and UTC with Z. */
function local(iso: string): string {
  return `${new Date(Date.parse(iso) + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')}+05:45`;
}
function utc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A job that waits for years, so its run-at and its waiting sentence are times we chose. */
const RUN_AT = '2031-03-14T01:59:26.000Z';
const KNOWN = 'utc-known';

function registry(): string {
  return stringify({ services: [{ name: 'utc_noop', execution_type: 'noop', runner_config: { sleep_ms: 5 } }] });
}

/**
 * Every tick of the throughput chart's time axis is a bucket's clock in `clockOf`'s zone (the series asked
 * for again, as it moves on each minute). The hour's clocks in Kathmandu and in UTC, 5 h 45 min apart,
 * share none, so ticks read in one zone never pass for the other.
 */
async function ticksRead(page: Page, clockOf: (iso: string) => string): Promise<boolean> {
  const chart = page.getByRole('region', { name: 'Throughput and failures per minute' });
  const ticks = await chart.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  const series = OverviewSeries.parse(await callThroughPage(page, 'overview.series', { window: '1h' }));
  const clocks = new Set(series.throughput.map((bucket) => clockOf(bucket.at).slice(11, 16)));
  return ticks.length > 0 && ticks.every((tick) => clocks.has(tick));
}

// Its own console, started in a zone that is not UTC, as is the browser: its times are the jobs it made.
test('Times: UTC on the Settings page writes every time in UTC at once (tables, drawer, API sentences, chart axis, status bar) and is kept on reload', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-utc-'));
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, registry());
  const opsdeck = await startConsole({ db: join(dir, 'utc.db'), registry: registryFile, env: { TZ: ZONE } });
  try {
    await page.goto(opsdeck.url);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await expect(nav).toBeVisible();
    for (let i = 0; i < 3; i++) await callThroughPage(page, 'jobs.enqueue', { service: 'utc_noop', identifier: `utc-done-${i}` });
    await callThroughPage(page, 'jobs.enqueue', { service: 'utc_noop', identifier: KNOWN, run_at: RUN_AT });
    const jobs = async () => z.object({ jobs: z.array(Job) }).parse(await callThroughPage(page, 'jobs.list', { filter: {}, limit: 10 })).jobs;
    await expect.poll(async () => (await jobs()).filter((j) => j.status === 'completed').length, { timeout: 60_000 }).toBe(3);
    const known = (await jobs()).find((j) => j.identifier === KNOWN);
    if (!known) throw new Error(`job ${KNOWN} not listed`);

    // Local first: the status bar names the zone, and every time carries its offset.
    const zoneLabel = page.getByRole('link', { name: /^times in / });
    await expect(zoneLabel).toHaveText(/^times in Asia\/Kath?mandu \(UTC\+05:45\)$/);
    await expect(page.getByText(/^live · updated /)).toHaveText(/\+05:45$/);
    await expect.poll(() => ticksRead(page, local)).toBe(true);

    // A marker on the window: gone if anything below reloads the page before we do.
    await page.evaluate(() => Reflect.set(globalThis, 'utcSpecMarker', 1));
    const marker = () => page.evaluate(() => Reflect.get(globalThis, 'utcSpecMarker') === 1);

    await nav.getByRole('link', { name: 'Jobs' }).click();
    const table = page.getByRole('table', { name: 'Jobs' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: KNOWN, exact: true }) });
    const created = row.locator('time').first();
    await expect(created).toHaveText(local(known.created_at));
    await expect(created).toHaveAttribute('title', `${utc(known.created_at).slice(0, -1)} UTC`);
    await row.getByRole('button', { name: String(known.id), exact: true }).click();
    const drawer = page.getByRole('dialog', { name: `Job ${KNOWN}` });
    const runAt = drawer.locator('dl.facts > div').filter({ has: page.getByText('Run at', { exact: true }) }).locator('dd');
    await expect(runAt).toHaveText('2031-03-14 07:44:26+05:45');
    // The API's sentence says ISO-8601 UTC; the console writes it as it writes every time.
    const waiting = drawer.getByRole('status').filter({ hasText: 'Waiting:' });
    await expect(waiting).toContainText('scheduled for 2031-03-14 07:44:26+05:45 (in ');
    await page.keyboard.press('Escape');

    // Flip it on the Settings page: the status bar follows without a reload.
    await nav.getByRole('link', { name: 'Settings' }).click();
    const times = page.getByRole('group', { name: 'Times' });
    await expect(times.getByRole('radio', { name: /^Local with its offset: Asia\/Kath?mandu \(UTC\+05:45\)$/ })).toBeChecked();
    // A time already on screen (when the registry was loaded) is written again as the choice changes.
    const loaded = page.getByRole('region', { name: 'Service registry' }).locator('time').first();
    await expect(loaded).toHaveText(/\+05:45$/);
    const loadedAt = await loaded.getAttribute('datetime');
    await times.getByRole('radio', { name: /^UTC/ }).check();
    await expect(zoneLabel).toHaveText('times in UTC');
    await expect(loaded).toHaveText(utc(loadedAt ?? ''));

    await nav.getByRole('link', { name: 'Jobs' }).click();
    await expect(created).toHaveText(utc(known.created_at));
    await expect(created).toHaveText(/Z$/);
    await expect(created).toHaveAttribute('title', local(known.created_at));
    await expect(page.getByText(/^times in UTC; hover a time for your local time$/)).toBeVisible();
    await row.getByRole('button', { name: String(known.id), exact: true }).click();
    await expect(runAt).toHaveText('2031-03-14 01:59:26Z');
    await expect(waiting).toContainText('scheduled for 2031-03-14 01:59:26Z (in ');
    await page.keyboard.press('Escape');

    await nav.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByText(/^live · updated /)).toHaveText(/:\d\dZ$/);
    await expect.poll(() => ticksRead(page, utc)).toBe(true);
    expect(await marker(), 'the choice applied without a reload').toBe(true);

    // Kept in this browser: a reload reads in UTC still.
    await page.reload();
    expect(await marker()).toBe(false);
    await expect(zoneLabel).toHaveText('times in UTC');
    await expect(page.getByText(/^live · updated /)).toHaveText(/:\d\dZ$/);
    await expect.poll(() => ticksRead(page, utc)).toBe(true);
    await page.screenshot({ path: SCREENSHOT });
    await nav.getByRole('link', { name: 'Jobs' }).click();
    await expect(created).toHaveText(utc(known.created_at));
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(times.getByRole('radio', { name: /^UTC/ })).toBeChecked();
  } finally {
    await opsdeck.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

// A browser whose own zone is UTC, times left local: the zone is its offset, said once.
test.describe('a browser in UTC', () => {
  test.use({ timezoneId: 'Etc/UTC' });
  test('the status bar says times in UTC, once: no offset beside a zone that is its offset; Settings names it so', async ({ page }) => {
    await page.goto(requireEnv(ENV.url));
    await expect(page.getByRole('link', { name: /^times in / })).toHaveText('times in UTC');
    // Hovering a time shows the same moment: the Jobs table does not send anyone to hover.
    await callThroughPage(page, 'jobs.enqueue', { service: 'e2e_quick', identifier: `utc-hover-${Date.now().toString(36)}` });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Jobs' }).click();
    await expect(page.getByRole('table', { name: 'Jobs' })).toBeVisible();
    await expect(page.locator('.table-meta')).toContainText('times in UTC');
    await expect(page.locator('.table-meta')).not.toContainText('hover');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('group', { name: 'Times' }).getByRole('radio', { name: 'Local with its offset: UTC', exact: true })).toBeChecked();
  });
});
