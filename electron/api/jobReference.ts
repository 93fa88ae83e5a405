import type { Job } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { notFound } from './errors.ts';

/**
 * The job a caller names by its id or its identifier, as `opsdeck job TEXT` finds it: an all-digit text is
 * tried as an identifier first, then as an id, so every command and endpoint acts on the job that one shows.
 * Identifiers are unique in the store: a text names one job at most either way.
 */
async function findJob(store: Store, ref: number | string): Promise<Job | null> {
  const direct = await store.getJob(ref);
  if (direct || typeof ref === 'number' || !/^\d+$/.test(ref) || !Number.isSafeInteger(Number(ref))) return direct;
  return store.getJob(Number(ref));
}

/** findJob, or a 404 naming what was asked. */
export async function jobOf(store: Store, ref: number | string): Promise<Job> {
  const job = await findJob(store, ref);
  if (!job) throw notFound(`no job ${JSON.stringify(ref)}`);
  return job;
}
