/**
 * Workers and runners as every surface shows them: a worker's shown state (lost, reconnecting after an
 * outage of the store), what a live worker cannot run, each runner kind's health, and the services no live
 * worker takes. views.ts re-exports every one.
 */
import { z } from 'zod';
import { ExecutionType, ServiceLack, Timestamp, WorkerInfo, WorkerState } from './domain.ts';

/**
 * A worker's state as every surface shows it: its own last word, or `lost` once its heartbeats stopped;
 * `reconnecting` while a worker that was live when the store stopped answering has not yet sent a heartbeat
 * since it answered again (StoreOutageEnded), which it could not send meanwhile.
 */
export const WorkerShownState = z.enum([...WorkerState.options, 'lost', 'reconnecting']);
export type WorkerShownState = z.infer<typeof WorkerShownState>;

/**
 * A store outage the answering host saw end, while the workers it cut off are given until `reconnect_until`
 * to send a heartbeat (as long as a live worker gets between two before it counts as lost), and show as
 * reconnecting, not lost, meanwhile. `from`: when the store last answered before it stopped; `to`: when it
 * answered again.
 */
export const StoreOutageEnded = z.object({ from: Timestamp, to: Timestamp, reconnect_until: Timestamp });
export type StoreOutageEnded = z.infer<typeof StoreOutageEnded>;

/**
 * A worker as the console, the CLI and the REST API show it. A lost worker reports nothing: its state is
 * `lost` and its jobs in flight unknown (null; the jobs still leased to it are stuck jobs), with what it last
 * said kept apart in `reported_state`. `lost` stays, true exactly when the state is. A reconnecting worker is
 * not lost, and its jobs in flight are not known either.
 */
export const WorkerView = WorkerInfo.extend({
  state: WorkerShownState,
  /** The state its last heartbeat gave: for a lost worker, what it was doing when it went silent. */
  reported_state: WorkerState,
  /** Jobs it runs now, as its last heartbeat said; null for a lost worker, whose count is not known. */
  in_flight: z.number().int().nullable(),
});
export type WorkerView = z.infer<typeof WorkerView>;

/** A live worker whose last check found services of a runner kind it cannot run, and those services. */
export const WorkerLacking = z.object({
  worker_id: z.string(),
  name: z.string().nullable(),
  checked_at: Timestamp,
  services: z.array(ServiceLack),
});
export type WorkerLacking = z.infer<typeof WorkerLacking>;

export const RunnerView = z.object({
  kind: ExecutionType,
  services: z.array(z.string()),
  healthy: z.boolean(),
  /** Healthy, yet worth a look: a credential missing only from the process that checked, which runs no job. */
  warning: z.boolean().optional(),
  detail: z.string(),
  checked_at: Timestamp,
  in_flight: z.number().int(),
  /**
   * The live workers that cannot run some of this kind's services, by their own last checks: the probe above
   * is of the process that answered, these are of the workers that run the jobs.
   */
  lacking: z.array(WorkerLacking),
  /** The live workers that have not said what they cannot run (an older version, or not checked yet): not known. */
  unchecked: z.array(z.string()),
});
export type RunnerView = z.infer<typeof RunnerView>;

/** A service of the registry no live worker takes a job of, and why (the waiting reasons' words, with what to do). */
export const UnservedService = z.object({ service: z.string(), queue: z.string(), reason: z.string() });
export type UnservedService = z.infer<typeof UnservedService>;
