import { defineConfig, type Project } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Host, StoreKind } from './e2e/fixtures.ts';
import { electronBinary, specTitles } from './e2e/support/electronBinary.ts';

const E2E = fileURLToPath(new URL('./e2e/', import.meta.url));
const POSTGRES_SPECS = /postgres\.spec\.ts$/;
/**
 * Specs that start a console of their own in a browser (the performance, workflow metrics and workflow runs paging specs, so their counts are their own
 * alone; the UTC spec, in a zone of its own with a browser emulating it), and the download (the desktop app asks where to save it in a native dialog, which a test cannot
 * answer): they have no Electron counterpart.
 */
const BROWSER_ONLY_SPECS = /(first-run|host-outage|a11y|alerts|support-bundle|performance|workflow-metrics|workflow-runs-paging|registry-remembered|times-utc)\.spec\.ts$/;

/** Debian's Chromium, never a downloaded browser; flags keep it quiet and container-friendly. */
const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.OPSDECK_E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
};

type Options = { host: Host; store: StoreKind };

const projects: Array<Project<Options>> = [
  { name: 'browser', testIgnore: POSTGRES_SPECS, use: { ...chromium, host: 'browser', store: 'sqlite' } },
  { name: 'postgres', testMatch: POSTGRES_SPECS, use: { ...chromium, host: 'browser', store: 'postgres' } },
];

const electron = electronBinary();
if (electron) {
  // The Chromium settings stay: Playwright's default page still launches a browser, and it must be Debian's.
  projects.push({ name: 'electron', testIgnore: [POSTGRES_SPECS, BROWSER_ONLY_SPECS], use: { ...chromium, host: 'electron', store: 'sqlite' } });
} else if (!process.env.TEST_WORKER_INDEX) {
  // Only the main process says it, once: the config is loaded again in every worker.
  const specs = readdirSync(E2E).filter((f) => f.endsWith('.spec.ts') && !POSTGRES_SPECS.test(f) && !BROWSER_ONLY_SPECS.test(f));
  console.log('[e2e] project "electron" not added: Electron binary not installed (node_modules/electron has no dist/).');
  for (const title of specTitles(E2E, specs)) console.log(`[e2e]   skipped [electron] ${title}: Electron binary not installed`);
}

export default defineConfig<Options>({
  testDir: './e2e',
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './e2e/globalSetup.ts',
  // One console and one engine are shared, and some specs stop everything: one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects,
});
