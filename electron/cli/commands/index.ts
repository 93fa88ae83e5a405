import type { Command } from '../command.ts';

/**
 * Every command by name, in the order --help lists them, each with the import of its module: a command
 * line loads the code of its own command only, not that of the other forty (their stores, engine, host).
 * Scripts and tests start opsdeck many times a day, and most of its start was loading code never run.
 */
const LOADERS: ReadonlyArray<readonly [string, () => Promise<Command>]> = [
  ['status', async () => (await import('./status.ts')).status],
  ['health-check', async () => (await import('./health.ts')).healthCheck],
  ['runners', async () => (await import('./fleet.ts')).runners],
  ['test-connectivity', async () => (await import('./connectivity.ts')).testConnectivity],
  ['validate-token', async () => (await import('./connectivity.ts')).validateToken],
  ['workers', async () => (await import('./fleet.ts')).workers],
  ['services', async () => (await import('./services.ts')).services],
  ['jobs', async () => (await import('./jobs.ts')).jobs],
  ['job', async () => (await import('./jobs.ts')).job],
  ['enqueue', async () => (await import('./enqueue.ts')).enqueue],
  ['retry', async () => (await import('./jobs.ts')).retry],
  ['cancel', async () => (await import('./jobs.ts')).cancel],
  ['fail', async () => (await import('./jobs.ts')).fail],
  ['errors', async () => (await import('./errors.ts')).errors],
  ['performance', async () => (await import('./performance.ts')).performanceCommand],
  ['dlq', async () => (await import('./dlq.ts')).dlq],
  ['workflow', async () => (await import('./workflow.ts')).workflow],
  ['prune', async () => (await import('./prune.ts')).prune],
  ['breaker', async () => (await import('./breaker.ts')).breaker],
  ['rate-limit', async () => (await import('./rateLimit.ts')).rateLimit],
  ['schedule', async () => (await import('./schedule.ts')).schedule],
  ['alerts', async () => (await import('./alerts.ts')).alerts],
  ['emergency-stop', async () => (await import('./control.ts')).emergencyStop],
  ['resume', async () => (await import('./control.ts')).resume],
  ['safe-mode', async () => (await import('./control.ts')).safeMode],
  ['pause', async () => (await import('./control.ts')).pause],
  ['unpause', async () => (await import('./control.ts')).unpause],
  ['validate-config', async () => (await import('./config.ts')).validateConfig],
  ['audit', async () => (await import('./audit.ts')).audit],
  ['diagnose', async () => (await import('./diagnose.ts')).diagnoseCommand],
  ['support-bundle', async () => (await import('./diagnose.ts')).supportBundle],
  ['logs', async () => (await import('./logs.ts')).logs],
  ['migrate', async () => (await import('./migrate.ts')).migrate],
  ['worker', async () => (await import('./worker.ts')).worker],
  ['serve', async () => (await import('./serve.ts')).serve],
  ['api', async () => (await import('./api.ts')).api],
  ['api-key', async () => (await import('./apiKey.ts')).apiKey],
  ['demo', async () => (await import('./worker.ts')).demo],
];

/** The command names, in the order --help lists them, without loading any command. */
export const COMMAND_NAMES: readonly string[] = LOADERS.map(([name]) => name);

/** The command of that name, its module loaded now; undefined when there is none. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  const entry = LOADERS.find(([known]) => known === name);
  return entry ? entry[1]() : undefined;
}

/** Every command, in the order --help lists them (the full list needs each one's summary). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(LOADERS.map(([, load]) => load()));
}
