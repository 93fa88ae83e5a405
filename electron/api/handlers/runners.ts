import type { ExecutionType } from '../../../shared/domain.ts';
import type { ApiContext } from '../context.ts';
import type { Handlers } from '../handlerTypes.ts';
import { probeAll } from '../probes.ts';
import { withOpenBreakers } from '../breakersCheck.ts';
import { workerReasons } from '../waitingReasons.ts';
import { workersLacking } from '../fleetLacks.ts';
import { WORKER_LOST_AFTER_MS } from './workers.ts';
import { fleetNow } from '../reconnecting.ts';
import type { UnservedService, WorkerLacking } from '../../../shared/views.ts';
import type { WorkerInfo } from '../../../shared/domain.ts';

/** Jobs running now per kind, across every worker on the store (this process's engine included). */
async function inFlightByKind(ctx: ApiContext): Promise<Map<ExecutionType, number>> {
  const byService = await ctx.store.runningByService();
  const kindOf = new Map<string, ExecutionType>();
  for (const job of ctx.engine?.inFlight() ?? []) kindOf.set(job.service, job.kind);
  for (const s of ctx.registry.registry.services) kindOf.set(s.name, s.execution_type);
  const out = new Map<ExecutionType, number>();
  for (const [service, n] of Object.entries(byService)) {
    const kind = kindOf.get(service);
    if (kind) out.set(kind, (out.get(kind) ?? 0) + n);
  }
  return out;
}

/**
 * The services of the registry loaded here that no live worker would take a job of, by the workers' own
 * declarations (the queues they take, the services their registry names), each with why and what to do.
 * Without a registry here there is nothing to ask about.
 */
function unserved(ctx: ApiContext, workers: WorkerInfo[]): UnservedService[] {
  if (ctx.registry.loadedAt === null) return [];
  const start = ctx.words.startWorker();
  return ctx.registry.registry.services.flatMap((s) => workerReasons(s.queue, s.name, workers, start).map((reason) => ({ service: s.name, queue: s.queue, reason })));
}

/** The live workers whose last check found services of `kind` they cannot run. */
function lackingOf(workers: WorkerInfo[], kind: ExecutionType): WorkerLacking[] {
  return workersLacking(workers, kind).map(({ worker, checked_at, services }) => ({ worker_id: worker.id, name: worker.name, checked_at, services }));
}

export const runners: Handlers<'runners.list'> = {
  'runners.list': async (_input, ctx) => {
    // A worker reconnecting after an outage counts as live: no service is said to have no worker for want of its first heartbeat.
    const [probes, inFlight, breakers, { workers }] = await Promise.all([probeAll(ctx), inFlightByKind(ctx), ctx.store.listBreakers(), fleetNow(ctx, WORKER_LOST_AFTER_MS)]);
    // Per kind: a worker whose record came before that kind's probe answered has not said it yet.
    const unchecked = (kind: ExecutionType) =>
      workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held') && (w.cannot_run === null || w.cannot_run.probing?.includes(kind) === true)).map((w) => w.id);
    const kindOf = (service: string) => ctx.registry.service(service)?.execution_type;
    // As health-check's runner checks say it: a probe answering while a service's breaker is open warns.
    return {
      runners: probes.map((p) => {
        const { warning, detail } = withOpenBreakers({ name: p.kind, ok: p.healthy, ...(p.warning ? { warning: true } : {}), detail: p.detail }, p.kind, breakers, kindOf, ctx.words);
        return { ...p, ...(warning ? { warning } : {}), detail, in_flight: inFlight.get(p.kind) ?? 0, lacking: lackingOf(workers, p.kind), unchecked: unchecked(p.kind) };
      }),
      unserved: unserved(ctx, workers),
    };
  },
};
