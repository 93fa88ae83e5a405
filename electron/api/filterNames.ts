import { closest } from '../../shared/closestWord.ts';
import type { ApiContext } from './context.ts';
import { knownQueues } from './knownQueues.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';

/**
 * A queue or service a filter names that nothing here knows: a typo, whose empty answer would read as
 * "no such jobs". Said with the likeliest name meant (any letter case first), and what is known.
 */
export interface UnknownName {
  field: 'queue' | 'service';
  message: string;
}

function list(known: readonly string[]): string {
  return known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ') || 'none';
}

function guessText(guess: string | null): string {
  return guess ? ` (did you mean ${guess}?)` : '';
}

/**
 * From the kept counts (tb_job_count), which a filter naming only a service reads exactly: a listing would
 * find no index of service alone, and a service with no jobs (a typo's case) would read every job.
 */
async function hasJobs(ctx: ApiContext, service: string): Promise<boolean> {
  return (await ctx.store.countJobs({ service })) > 0;
}

/**
 * The services this process can name: the registry's, the breakers', the live workers' registries' and
 * those with jobs waiting or running. A service whose jobs all finished long ago is known by its jobs
 * (`hasJobs`), looked up by name rather than listed: the store keeps no list of every service it saw.
 */
async function knownServices(ctx: ApiContext): Promise<string[]> {
  const [breakers, workers, pending, running] = await Promise.all([
    ctx.store.listBreakers(),
    ctx.store.listWorkers(WORKER_LOST_AFTER_MS),
    ctx.store.pendingByService(),
    ctx.store.runningByService(),
  ]);
  return [
    ...new Set([
      ...ctx.registry.registry.services.map((s) => s.name),
      ...breakers.map((b) => b.service_name),
      ...workers.flatMap((w) => w.services ?? []),
      ...Object.keys(pending),
      ...Object.keys(running),
    ]),
  ].sort();
}

/**
 * The service a name nothing here knows likely meant: of every name known (or `known`) and, when none of
 * those differs from it only in case, the store's jobs of its lower-case spelling; null when none is near.
 */
export async function serviceMeant(ctx: ApiContext, service: string, known?: readonly string[]): Promise<string | null> {
  const names = known ?? (await knownServices(ctx));
  const lower = service.toLowerCase();
  const sameButCase = !names.some((k) => k.toLowerCase() === lower) && lower !== service && (await hasJobs(ctx, lower)) ? [lower] : [];
  return closest(service, [...names, ...sameButCase]);
}

async function unknownService(ctx: ApiContext, service: string): Promise<UnknownName | null> {
  if (ctx.registry.service(service)) return null;
  const known = await knownServices(ctx);
  if (known.includes(service) || (await hasJobs(ctx, service))) return null;
  const where = ctx.registry.loadedAt === null ? 'no registry is loaded here, and no job, breaker or worker names it' : 'neither the registry nor any job, breaker or worker names it';
  return { field: 'service', message: `no service named ${service}${guessText(await serviceMeant(ctx, service, known))}: ${where}; known: ${list(known)}` };
}

async function unknownQueue(ctx: ApiContext, queue: string): Promise<UnknownName | null> {
  const known = await knownQueues(ctx);
  if (known.includes(queue)) return null;
  return { field: 'queue', message: `no queue named ${queue}${guessText(closest(queue, known))}: no service, schedule or job uses it; known: ${list(known)}` };
}

/** Each of the filter's queue and service that nothing here knows, with what was likely meant. */
export async function unknownFilterNames(ctx: ApiContext, filter: { queue?: string | undefined; service?: string | undefined }): Promise<UnknownName[]> {
  const found = await Promise.all([
    filter.queue === undefined ? null : unknownQueue(ctx, filter.queue),
    filter.service === undefined ? null : unknownService(ctx, filter.service),
  ]);
  return found.filter((name) => name !== null);
}
