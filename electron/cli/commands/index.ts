import type { Command } from '../command.ts';

/**
 * What a command does when run by its name alone: `reads` (a group whose bare form lists, such as dlq or
 * breaker, reads too) or `acts` (changes the store or the fleet, or starts a process that does). A
 * mistyped word is only ever guessed to be a command that reads: one that acts is reached by its own
 * name or an alias only (`top` once drew a guess of emergency-stop).
 */
export type Effect = 'reads' | 'acts';

/**
 * Every command by name, in the order --help lists them, each with what it does and the import of its
 * module: a command line loads the code of its own command only, not that of the other forty (their
 * stores, engine, host). Scripts and tests start opsdeck many times a day, and most of its start was
 * loading code never run.
 */
const LOADERS: ReadonlyArray<readonly [string, Effect, () => Promise<Command>]> = [
  ['status', 'reads', async () => (await import('./status.ts')).status],
  ['health-check', 'reads', async () => (await import('./health.ts')).healthCheck],
  ['runners', 'reads', async () => (await import('./fleet.ts')).runners],
  ['test-connectivity', 'reads', async () => (await import('./connectivity.ts')).testConnectivity],
  ['validate-token', 'reads', async () => (await import('./connectivity.ts')).validateToken],
  ['workers', 'reads', async () => (await import('./fleet.ts')).workers],
  ['services', 'reads', async () => (await import('./services.ts')).services],
  ['jobs', 'reads', async () => (await import('./jobs.ts')).jobs],
  ['job', 'reads', async () => (await import('./jobs.ts')).job],
  ['enqueue', 'acts', async () => (await import('./enqueue.ts')).enqueue],
  ['retry', 'acts', async () => (await import('./jobs.ts')).retry],
  ['cancel', 'acts', async () => (await import('./jobs.ts')).cancel],
  ['fail', 'acts', async () => (await import('./jobs.ts')).fail],
  ['errors', 'reads', async () => (await import('./errors.ts')).errors],
  ['performance', 'reads', async () => (await import('./performance.ts')).performanceCommand],
  ['dlq', 'reads', async () => (await import('./dlq.ts')).dlq],
  ['workflow', 'reads', async () => (await import('./workflow.ts')).workflow],
  ['prune', 'acts', async () => (await import('./prune.ts')).prune],
  ['breaker', 'reads', async () => (await import('./breaker.ts')).breaker],
  ['rate-limit', 'reads', async () => (await import('./rateLimit.ts')).rateLimit],
  ['schedule', 'reads', async () => (await import('./schedule.ts')).schedule],
  ['alerts', 'reads', async () => (await import('./alerts.ts')).alerts],
  ['emergency-stop', 'acts', async () => (await import('./control.ts')).emergencyStop],
  ['resume', 'acts', async () => (await import('./control.ts')).resume],
  ['safe-mode', 'acts', async () => (await import('./control.ts')).safeMode],
  ['pause', 'acts', async () => (await import('./control.ts')).pause],
  ['unpause', 'acts', async () => (await import('./control.ts')).unpause],
  ['validate-config', 'reads', async () => (await import('./config.ts')).validateConfig],
  ['audit', 'reads', async () => (await import('./audit.ts')).audit],
  ['diagnose', 'reads', async () => (await import('./diagnose.ts')).diagnoseCommand],
  ['support-bundle', 'reads', async () => (await import('./diagnose.ts')).supportBundle],
  ['logs', 'reads', async () => (await import('./logs.ts')).logs],
  ['migrate', 'acts', async () => (await import('./migrate.ts')).migrate],
  ['worker', 'acts', async () => (await import('./worker.ts')).worker],
  ['serve', 'acts', async () => (await import('./serve.ts')).serve],
  ['api', 'acts', async () => (await import('./api.ts')).api],
  ['api-key', 'reads', async () => (await import('./apiKey.ts')).apiKey],
  ['demo', 'acts', async () => (await import('./worker.ts')).demo],
];

/** The command names, in the order --help lists them, without loading any command. */
export const COMMAND_NAMES: readonly string[] = LOADERS.map(([name]) => name);

/** The commands that only read when run by name alone: the ones a mistyped word may be guessed to be. */
export const READING_COMMANDS: readonly string[] = LOADERS.filter(([, effect]) => effect === 'reads').map(([name]) => name);

/** The command of that name, its module loaded now; undefined when there is none. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  const entry = LOADERS.find(([known]) => known === name);
  return entry ? entry[2]() : undefined;
}

/** Every command, in the order --help lists them (the full list needs each one's summary). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(LOADERS.map(([, , load]) => load()));
}
