import type { WorkerView } from '../../../shared/views.ts';
import { REDACTED } from '../../config/secrets.ts';
import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { lostLeases } from '../lostLeases.ts';
import { registryDrift } from '../registryDrift.ts';
import { workerView } from '../workerView.ts';
import { fleetNow, type FleetNow } from '../reconnecting.ts';
import { countText } from '../../../shared/countText.ts';

/** Engines heartbeat every 2 s; five missed beats and a worker counts as lost. */
export const WORKER_LOST_AFTER_MS = 10_000;

function secondsAgo(iso: string): number {
  return Math.round((Date.now() - Date.parse(iso)) / 1000);
}

/**
 * The id of the worker `given` names: an id as it is, else a worker's name (`worker --name`, any case, as
 * health-check's worker:NAME takes it), the one the list shows under NAME. Two workers of that name are
 * refused with their ids: forgetting either could be the wrong one.
 */
function workerId(fleet: FleetNow, given: string): string {
  if (fleet.workers.some((w) => w.id === given)) return given;
  const named = fleet.workers.filter((w) => w.name !== null && w.name.toLowerCase() === given.toLowerCase());
  const [only] = named;
  if (named.length > 1) throw conflict(`${named.length} workers are named ${given} (${named.map((w) => w.id).sort().join(', ')}): forget one by its id`);
  return only?.id ?? given;
}

/**
 * A worker as a caller blind to the host (ctx.hostHidden) may learn it: that its registry was read from a
 * file, not where the file is, as the registry check and its drift say it.
 */
function registryPathHidden(worker: WorkerView): WorkerView {
  return worker.registry?.path ? { ...worker, registry: { ...worker.registry, path: REDACTED } } : worker;
}

export const workers: Handlers<'workers.list' | 'workers.forget'> = {
  'workers.list': async (_input, ctx) => {
    const fleet = await fleetNow(ctx, WORKER_LOST_AFTER_MS);
    const views = fleet.workers.map((w) => workerView(w, fleet.reconnecting.has(w.id)));
    return {
      workers: ctx.hostHidden === undefined ? views : views.map(registryPathHidden),
      lost_leases: await lostLeases(ctx.store, fleet.workers),
      registry_drift: await registryDrift(ctx, fleet.workers),
      store_outage: fleet.outage,
    };
  },

  // A worker forgotten while it still holds jobs would hide jobs nobody runs: the store refuses it then.
  'workers.forget': async (input, ctx) => {
    const fleet = await fleetNow(ctx, WORKER_LOST_AFTER_MS);
    const id = workerId(fleet, input.id);
    // The store counts it lost by its heartbeat's age alone, which the outage made old: it may be on its way back.
    if (fleet.reconnecting.has(id) && fleet.outage !== null) {
      throw conflict(
        `worker ${id} was live when the store stopped answering (${fleet.outage.from}) and has not sent a heartbeat since it answered again (${fleet.outage.to}): it counts as lost only if none comes by ${fleet.outage.reconnect_until}; forget it after`,
      );
    }
    const result = await ctx.store.forgetWorker(id, WORKER_LOST_AFTER_MS, ctx.actor);
    if (!result) throw notFound(`no worker ${input.id} (${ctx.words.call('workers.list')} lists them)`);
    const { worker } = result;
    if (result.outcome === 'alive') {
      throw conflict(`worker ${worker.id} is alive (heartbeat ${secondsAgo(worker.last_heartbeat_at)}s ago): only a lost or stopped worker can be forgotten`);
    }
    if (result.outcome === 'holds_jobs') {
      throw conflict(
        `worker ${worker.id} still holds ${countText(result.jobs)} running job(s) whose leases were not taken back yet: a live worker takes them back once they expire; forget it after`,
      );
    }
    return { forgotten: workerView(worker) };
  },
};
