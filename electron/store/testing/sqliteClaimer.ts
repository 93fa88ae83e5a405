import { openStore } from '../open.ts';

/**
 * A separate process that claims and completes jobs from an SQLite file until none are left, then
 * prints the ids it completed as JSON: the multi-process claim test runs several at once.
 * usage: node sqliteClaimer.ts <db path> <worker id> <batch>
 */
const [path, workerId, batchArg] = process.argv.slice(2);
if (!path || !workerId) {
  process.stderr.write('usage: node sqliteClaimer.ts <db path> <worker id> [batch]\n');
  process.exit(2);
}
const store = await openStore(path);
const done: number[] = [];
let idle = 0;
while (idle < 3) {
  const claimed = await store.claim({ workerId, limit: Number(batchArg ?? 5), leaseMs: 60_000 });
  if (claimed.length === 0) {
    idle++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    continue;
  }
  idle = 0;
  const landed = await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId, kind: 'completed' as const })));
  done.push(...landed);
}
await store.close();
process.stdout.write(`${JSON.stringify(done)}\n`);
