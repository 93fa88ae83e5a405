import type { Store } from '../store.ts';

/** `n` noop jobs enqueued, claimed and completed: history a retention test can prune. */
export async function finishJobs(store: Store, n: number): Promise<void> {
  await store.enqueue(Array.from({ length: n }, () => ({ queue: 'q', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1 })));
  for (;;) {
    const claimed = await store.claim({ workerId: 'w', limit: 200, leaseMs: 60_000 });
    if (claimed.length === 0) return;
    await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const })));
  }
}
