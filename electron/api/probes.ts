import type { ExecutionType } from '../../shared/domain.ts';
import type { Registry } from '../../shared/registry.ts';
import type { RunnerHealth } from '../runners/registry.ts';
import type { Runner } from '../runners/runner.ts';
import type { ApiContext } from './context.ts';
import { noRegistryLoaded } from './noRegistry.ts';

/** Probes reach out (the Docker socket, base URLs): the console polls, so answers are reused for a while. */
const PROBE_TTL_MS = 10_000;

interface Cached {
  at: number;
  registry: Registry;
  result: Promise<RunnerHealth[]>;
}

const cache = new WeakMap<Map<ExecutionType, Runner>, Cached>();

/** The runner kinds are loaded on first use: their clients (Docker, AWS) are slow to import for a CLI. */
export async function runnersOf(ctx: ApiContext): Promise<Map<ExecutionType, Runner>> {
  if (!ctx.runners) {
    const { createRunners } = await import('../runners/registry.ts');
    ctx.runners ??= createRunners();
  }
  return ctx.runners;
}

/**
 * Runner health per kind, probed at most every 10 s, and again at once when the registry changed. With no
 * registry loaded, a kind's "no services" would read as a fleet with none: it says no registry is loaded.
 */
export async function probeAll(ctx: ApiContext, now = Date.now()): Promise<RunnerHealth[]> {
  const health = await probed(ctx, now);
  if (ctx.registry.loadedAt !== null) return health;
  const unknown = noRegistryLoaded(ctx.words);
  return health.map((h) => ({ ...h, detail: unknown }));
}

async function probed(ctx: ApiContext, now: number): Promise<RunnerHealth[]> {
  const runners = await runnersOf(ctx);
  const registry = ctx.registry.registry;
  const hit = cache.get(runners);
  if (hit && hit.registry === registry && now - hit.at < PROBE_TTL_MS) return hit.result;
  const result = import('../runners/registry.ts').then((m) => m.probeRunners(runners, registry, ctx.env));
  cache.set(runners, { at: now, registry, result });
  // A failed probe round is not kept: the next call asks again.
  result.catch(() => cache.delete(runners));
  return result;
}
