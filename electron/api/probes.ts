import type { ExecutionType } from '../../shared/domain.ts';
import type { Registry } from '../../shared/registry.ts';
import type { RunnerHealth } from '../runners/registry.ts';
import type { CheckedIn, Runner } from '../runners/runner.ts';
import { processWords } from './answeredBy.ts';
import type { ApiContext } from './context.ts';
import { noRegistryLoaded } from './noRegistry.ts';

/** Probes reach out (the Docker socket, base URLs): the console polls, so answers are reused for a while. */
const PROBE_TTL_MS = 10_000;

interface Cached {
  at: number;
  registry: Registry;
  checkedIn: CheckedIn;
  result: Promise<RunnerHealth[]>;
}

/** What probing reads of this process: no store, so a command whose store is down still probes. */
type ProbeHost = Pick<ApiContext, 'registry' | 'engine' | 'env' | 'words' | 'answeredBy' | 'runners'>;

const cache = new WeakMap<Map<ExecutionType, Runner>, Cached>();

/** The runner kinds are loaded on first use: their clients (Docker, AWS) are slow to import for a CLI. */
export async function runnersOf(ctx: Pick<ApiContext, 'runners'>): Promise<Map<ExecutionType, Runner>> {
  if (!ctx.runners) {
    const { createRunners } = await import('../runners/registry.ts');
    ctx.runners ??= createRunners();
  }
  return ctx.runners;
}

/** Which process probes, in words, and whether it runs jobs itself: what a credential missing here means. */
export function checkedIn(ctx: Pick<ApiContext, 'answeredBy' | 'engine'>): CheckedIn {
  return { process: processWords(ctx.answeredBy), runsJobs: ctx.engine !== null };
}

/**
 * Runner health per kind, probed at most every 10 s, and again at once when the registry or local execution
 * changed. With no registry loaded, a kind's "no services" would read as a fleet with none: it says no
 * registry is loaded.
 */
export async function probeAll(ctx: ProbeHost, now = Date.now()): Promise<RunnerHealth[]> {
  const health = await probed(ctx, now);
  if (ctx.registry.loadedAt !== null) return health;
  const unknown = noRegistryLoaded(ctx.words);
  return health.map((h) => ({ ...h, detail: unknown }));
}

async function probed(ctx: ProbeHost, now: number): Promise<RunnerHealth[]> {
  const runners = await runnersOf(ctx);
  const registry = ctx.registry.registry;
  const here = checkedIn(ctx);
  const hit = cache.get(runners);
  const same = hit !== undefined && hit.registry === registry && hit.checkedIn.process === here.process && hit.checkedIn.runsJobs === here.runsJobs;
  if (hit && same && now - hit.at < PROBE_TTL_MS) return hit.result;
  const result = import('../runners/registry.ts').then((m) => m.probeRunners(runners, registry, ctx.env, here));
  cache.set(runners, { at: now, registry, checkedIn: here, result });
  // A failed probe round is not kept: the next call asks again.
  result.catch(() => cache.delete(runners));
  return result;
}
