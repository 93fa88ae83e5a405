import type { Job } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { conflict, notFound } from './errors.ts';

/**
 * The spellings that name a job one way only, for a text of digits that is one job's id and another's
 * identifier (an Idempotency-Key of digits, `1`, becomes its job's identifier): `id:1`, `identifier:1`.
 * Either is read that one way whatever else its text could name.
 */
const BY_ID = /^id:(\d{1,15})$/;
const BY_IDENTIFIER = 'identifier:';

/** A text of digits as an id a job could have, or null. */
function idIn(text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null;
  const id = Number(text);
  return id > 0 ? id : null;
}

/**
 * The job a text names: `id:N` by its id, `identifier:TEXT` by its identifier, anything else by its
 * identifier, or for digits by its id too. Digits that are one job's id and another job's identifier are
 * refused, naming both: acting on either could be acting on the job the caller did not mean (a client
 * that enqueued job 1, then job 2 with `Idempotency-Key: 1`, cancelling "1").
 */
async function findJob(store: Store, ref: number | string): Promise<Job | null> {
  if (typeof ref === 'number') return store.getJob(ref);
  const explicitId = BY_ID.exec(ref)?.[1];
  if (explicitId !== undefined) return store.getJob(Number(explicitId));
  if (ref.startsWith(BY_IDENTIFIER) && ref.length > BY_IDENTIFIER.length) return store.getJob(ref.slice(BY_IDENTIFIER.length));
  const byIdentifier = await store.getJob(ref);
  const id = idIn(ref);
  if (id === null) return byIdentifier;
  const byId = await store.getJob(id);
  if (byIdentifier !== null && byId !== null && byIdentifier.id !== byId.id) {
    throw conflict(
      `"${ref}" names two jobs: job ${byId.id} by its id and job ${byIdentifier.id} by its identifier; ` +
        `say which: id:${ref} for job ${byId.id}, identifier:${ref} for job ${byIdentifier.id}`,
    );
  }
  return byIdentifier ?? byId;
}

/** findJob, or a 404 naming what was asked. */
export async function jobOf(store: Store, ref: number | string): Promise<Job> {
  const job = await findJob(store, ref);
  if (!job) throw notFound(`no job ${JSON.stringify(ref)}`);
  return job;
}
