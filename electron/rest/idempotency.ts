import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { RouteFailure } from './route.ts';

/**
 * `Idempotency-Key` on POST /v1/executions. Enqueue is idempotent by identifier, so the key becomes the
 * job's identifier when the body names none: a retried request finds the job the first one made, on
 * any host of the fleet and after any restart, because the store is what remembers. A key sent again
 * with a different request is refused rather than answered with a job that is not what was asked.
 */

const KEY = /^[\x21-\x7e]{1,200}$/;

export function idempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  if (value === undefined || !KEY.test(value)) {
    throw new RouteFailure('invalid_input', 'the Idempotency-Key header must be 1 to 200 printable ASCII characters', [{ path: 'header.Idempotency-Key', message: 'printable ASCII, at most 200' }]);
  }
  return value;
}

/** The enqueue body with the key as its identifier, unless it names one itself (then that one rules). */
export function keyedBody(body: Record<string, unknown>, key: string | null): Record<string, unknown> {
  return key === null || body.identifier !== undefined ? body : { ...body, identifier: key };
}

/** JSON with object keys sorted, so a payload compares equal however the store ordered its keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const Replayed = z.object({ id: z.number(), created: z.literal(false) });

/** A replay must match the job the key made: same service, payload and (when given) queue. */
export async function checkReplay(store: Store, body: Record<string, unknown>, result: unknown): Promise<void> {
  const replay = Replayed.safeParse(result);
  if (!replay.success) return;
  const job = await store.getJob(replay.data.id);
  if (!job) return;
  const same =
    job.service_name === body.service &&
    canonical(job.payload) === canonical(body.payload ?? null) &&
    (body.queue === undefined || body.queue === job.queue);
  if (!same) {
    throw new RouteFailure(
      'invalid_input',
      `this Idempotency-Key (or identifier) already made execution ${job.id} (${job.service_name}) with other parameters; use a new key for a new request`,
      [{ path: 'header.Idempotency-Key', message: 'reused with a different request' }],
    );
  }
}
