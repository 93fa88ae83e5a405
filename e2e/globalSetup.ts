import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRenderer } from '../electron/console/build.ts';
import { buildMain } from '../scripts/build.ts';
import { electronBinary } from './support/electronBinary.ts';
import { ENV } from './support/env.ts';
import { writeE2eRegistry } from './support/registry.ts';
import { startConsole } from './support/serve.ts';
import { startUpstream } from './support/upstream.ts';

/**
 * Starts what every browser spec shares: a switchable upstream, the example registry plus the e2e services,
 * and `opsdeck serve` on a fresh SQLite store with its real engine. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  // The specs drive the renderer as built: rebuild it when its sources are newer than dist/renderer.
  await buildRenderer({ quiet: true });
  // Electron starts from the bundled main process (package.json "main"), so the specs need it built too.
  if (electronBinary()) await buildMain({ quiet: true });
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-'));
  const upstream = await startUpstream();
  const registry = await writeE2eRegistry(dir, upstream.port);
  const opsdeck = await startConsole({ db: join(dir, 'e2e.db'), registry });
  process.env[ENV.url] = opsdeck.url;
  process.env[ENV.registry] = registry;
  process.env[ENV.upstreamPort] = String(upstream.port);
  process.env[ENV.dir] = dir;
  return async () => {
    await opsdeck.stop();
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  };
}
