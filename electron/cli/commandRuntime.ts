import { createRuntime, type Runtime } from '../api/runtime.ts';
import { CLI_WORDS } from './words.ts';

/**
 * The runtime health-check and diagnose open on an existing store: no job runs here, answers point to
 * what to type next (the CLI's words, not the console's pages), and checks of this process's environment
 * say they are this command's.
 */
export function commandRuntime(where: { db?: string; registry?: string }, env: Record<string, string | undefined>, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  return createRuntime({ words: CLI_WORDS, db: where.db, registryPath: where.registry ?? null, env, execute: false, mustExist: true, answeredBy: 'command', ...opts });
}
