import assert from 'node:assert/strict';
import { AuditEntry, Job } from '../../../shared/domain.ts';
import type { Actor, ExecutionType } from '../../../shared/domain.ts';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import type { ClaimedJob, JobError, NewJob, Store, StoreSignal } from '../store.ts';

/** What the contract's tests share: a store to test, and helpers that put jobs into known states. */

/** A fresh store, and optionally a second connection or instance on the same database. */
export interface ContractHandle {
  store: Store;
  cleanup(): Promise<void>;
  openSecond?: () => Promise<Store>;
}

export const alice: Actor = { user: 'alice', host: 'laptop' };
export const ALICE = 'alice@laptop';
export const LEASE = 60_000;

export function job(service: string, extra: Partial<NewJob> = {}): NewJob {
  return { queue: 'default', service_name: service, execution_type: 'noop', max_attempts: 3, ...extra };
}

export function err(message: string, fingerprint = `fp-${message}`): JobError {
  return { message, error_class: 'TestError', fingerprint };
}

export function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

export function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function mustGet(store: Store, id: number | string): Promise<Job> {
  const found = await store.getJob(id);
  assert.ok(found, `job ${id} exists`);
  return Job.parse(found);
}

export function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `exactly one item, got ${items.length}`);
  const [first] = items;
  assert.ok(first !== undefined);
  return first;
}

/** Enqueues one job in a queue of its own and claims exactly it. */
export async function claimOne(store: Store, extra: Partial<NewJob> = {}, workerId = 'w1', leaseMs = LEASE): Promise<ClaimedJob> {
  const queue = `q-${Math.random().toString(36).slice(2)}`;
  await store.enqueue([job(extra.service_name ?? 'svc', { ...extra, queue })]);
  return only(await store.claim({ workerId, limit: 5, leaseMs, queues: [queue] }));
}

export function base(claimed: ClaimedJob, workerId = 'w1') {
  return { jobId: claimed.id, attemptId: claimed.attempt_id, workerId };
}

/** Puts one job into the dead-letter queue with the given error. */
export async function deadLetter(store: Store, service: string, error: JobError, type: ExecutionType = 'noop'): Promise<number> {
  const claimed = await claimOne(store, { service_name: service, execution_type: type });
  assert.deepEqual(await store.settle([{ ...base(claimed), kind: 'failed', error, outcome: 'failed' }]), [claimed.id]);
  return claimed.id;
}

export async function allJobIds(store: Store): Promise<number[]> {
  const ids: number[] = [];
  let after: string | null = null;
  do {
    const page = await store.listJobs({}, { limit: 100, after });
    ids.push(...page.items.map((j) => j.id));
    after = page.next_cursor;
  } while (after !== null);
  return ids;
}

export async function auditActions(store: Store): Promise<AuditEntry[]> {
  const page = await store.listAudit({}, { limit: 500 });
  return page.items.map((entry) => AuditEntry.parse(entry));
}

export function waitForSignal(store: Store, wanted: StoreSignal, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, timeoutMs);
    const off = store.subscribe((signal) => {
      if (signal !== wanted) return;
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });
}

/** One contract test: a fresh store per test, cleaned up whatever happens. */
export type ContractTest = (title: string, body: (store: Store, handle: ContractHandle) => Promise<void>) => void;

/** Every batch of a prune from the first job to the last, `size` jobs at a time: what went, summed, and how many batches. */
export async function pruneAll(store: Store, cutoffs: PruneCutoffs, size: number) {
  const total = { completed: 0, cancelled: 0, dead_letters: 0, batches: 0 };
  let after = 0;
  for (;;) {
    const batch = await store.pruneBatch(cutoffs, after, size);
    total.completed += batch.completed;
    total.cancelled += batch.cancelled;
    total.dead_letters += batch.dead_letters;
    total.batches += 1;
    assert.ok(batch.lastId >= after, 'a batch never walks backwards');
    after = batch.lastId;
    if (batch.done) return total;
  }
}
