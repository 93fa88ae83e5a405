import { test as base, expect, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EnqueueOutput } from '../shared/contract.ts';
import { Job, type JobFilter } from '../shared/domain.ts';
import { electronBinary } from './support/electronBinary.ts';
import { ENV, requireEnv } from './support/env.ts';
import { callThroughPage } from './support/call.ts';
import { startConsole, type RunningConsole } from './support/serve.ts';
import { setUpstreamHealth } from './support/upstream.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export type Host = 'browser' | 'electron';
export type StoreKind = 'sqlite' | 'postgres';

/** Where the console under test lives (a URL for the browser host, a launched app for Electron), and its store. */
type Target = { kind: 'browser'; url: string; origin: string; db: string } | { kind: 'electron'; app: ElectronApplication; db: string };

export interface Opsdeck {
  page: Page;
  /** Opens a page of the console by its hash route, e.g. `/jobs?service=x`. */
  open(route: string): Promise<void>;
  /** Calls the API through the page's own host (fetch with the tab's token, or the preload bridge). */
  call(name: string, input: unknown): Promise<unknown>;
  enqueue(service: string, opts?: { payload?: unknown; identifier?: string; queue?: string; run_at?: string }): Promise<z.infer<typeof EnqueueOutput>>;
  jobs(filter: JobFilter): Promise<Job[]>;
  upstream(healthy: boolean): Promise<void>;
  screenshot(name: string): Promise<void>;
  /** Something unique to this run, for identifiers and notes. */
  stamp: string;
  /** The console's store (a SQLite file or a PostgreSQL URL), to open beside it for what no call makes. */
  db: string;
}

const JobsPage = z.object({ jobs: z.array(Job) });

export const test = base.extend<{ opsdeck: Opsdeck }, { host: Host; store: StoreKind; target: Target }>({
  host: ['browser', { option: true, scope: 'worker' }],
  store: ['sqlite', { option: true, scope: 'worker' }],

  target: [
    async ({ host, store }, use) => {
      const registry = requireEnv(ENV.registry);
      if (host === 'electron') {
        const executablePath = electronBinary();
        if (!executablePath) throw new Error('Electron binary not installed');
        const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-electron-'));
        const db = join(dir, 'e2e.db');
        const app = await _electron.launch({
          executablePath,
          args: [REPO, '--db', db, '--registry', registry],
          env: { ...process.env, OPSDECK_DB: db },
        });
        await use({ kind: 'electron', app, db });
        await app.close();
        await rm(dir, { recursive: true, force: true });
        return;
      }
      if (store === 'sqlite') {
        const url = requireEnv(ENV.url);
        await use({ kind: 'browser', url, origin: new URL(url).origin, db: join(requireEnv(ENV.dir), 'e2e.db') });
        return;
      }
      // PostgreSQL: a fresh database and a console of its own, with the same registry and upstream.
      const { createTestDatabase } = await import('../electron/store/testing/pgTestDb.ts');
      const database = await createTestDatabase({ migrated: true });
      let running: RunningConsole | null = null;
      try {
        running = await startConsole({ db: database.url, registry });
        await use({ kind: 'browser', url: running.url, origin: running.origin, db: database.url });
      } finally {
        await running?.stop();
        await database.drop();
      }
    },
    { scope: 'worker' },
  ],

  page: async ({ page, target }, use) => {
    if (target.kind === 'electron') {
      await use(await target.app.firstWindow());
      return;
    }
    await use(page);
  },

  opsdeck: async ({ page, target }, use, testInfo) => {
    const upstreamPort = Number(requireEnv(ENV.upstreamPort));
    async function open(route: string): Promise<void> {
      if (target.kind === 'browser') {
        // The printed URL signs the console in (the page keeps its token); the hash then picks the page.
        if (!page.url().startsWith(target.origin)) await page.goto(target.url);
        await page.goto(`${target.origin}/#${route}`);
      } else {
        // Runs in the page; written against globalThis because this file is type-checked without the DOM.
        await page.evaluate((hash) => Reflect.set(Reflect.get(globalThis, 'location'), 'hash', hash), route);
      }
      await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
    }
    await open('/');
    const call = (name: string, input: unknown) => callThroughPage(page, name, input);
    const stamp = `${Date.now().toString(36)}${testInfo.project.name.slice(0, 2)}`;
    await use({
      page,
      open,
      call,
      stamp,
      db: target.db,
      async enqueue(service, opts = {}) {
        return EnqueueOutput.parse(await call('jobs.enqueue', { service, ...opts }));
      },
      async jobs(filter) {
        return JobsPage.parse(await call('jobs.list', { filter, limit: 500 })).jobs;
      },
      upstream: (healthy) => setUpstreamHealth(upstreamPort, healthy),
      async screenshot(name) {
        const suffix = testInfo.project.name === 'electron' ? '-electron' : '';
        await page.screenshot({ path: join(SCREENSHOTS, `${name}${suffix}.png`) });
      },
    });
  },
});

export { expect };
