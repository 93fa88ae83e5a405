/**
 * A worker in its own process, for tests that kill it mid-job: node workerProcess.ts DB REGISTRY WORKER_ID LEASE_MS
 * Prints "ready" once the engine runs; the test watches the store to see what it holds.
 */
import { RegistryHolder } from '../../config/holder.ts';
import { createRunners } from '../../runners/registry.ts';
import { openStore } from '../../store/open.ts';
import { Engine } from '../engine.ts';
import { lineLogger } from '../../log/logger.ts';

const [db, registryPath, workerId, leaseMs] = process.argv.slice(2);
if (!db || !registryPath || !workerId || !leaseMs) {
  process.stderr.write('usage: workerProcess.ts DB REGISTRY WORKER_ID LEASE_MS\n');
  process.exit(2);
}
const store = await openStore(db);
const registry = new RegistryHolder(process.env);
const loaded = await registry.loadFile(registryPath);
if (!loaded.ok) {
  process.stderr.write(`registry problems: ${JSON.stringify(loaded.problems)}\n`);
  process.exit(2);
}
const engine = new Engine({
  store,
  registry,
  runners: createRunners(),
  workerId,
  leaseMs: Number(leaseMs),
  pollMs: 20,
  log: lineLogger((line) => process.stderr.write(`${line}\n`), 'info'),
});
await engine.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void engine
    .stop({ graceMs: 0 })
    .then(() => store.close())
    .then(() => process.exit(0));
});
