import assert from 'node:assert/strict';
import type { JsonObject } from '../../../shared/domain.ts';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import type { ClaimedJob, Store } from '../store.ts';
import type { NewWorkflowRun } from '../workflowTypes.ts';
import { ALICE, LEASE, alice, base, err, mustGet, pruneAll } from './fixtures.ts';
import type { ContractHandle } from './fixtures.ts';

type Test = (title: string, body: (store: Store, handle: ContractHandle) => Promise<void>) => void;

interface TaskSpec {
  name: string;
  depends_on?: string[];
  pass_output?: 'tail' | 'json';
  payload?: JsonObject;
}

/** A run of a workflow whose tasks all run the noop service `step`, in a queue of the run's own. */
function newRun(identifier: string, tasks: TaskSpec[], payload: JsonObject = {}, stuckAfterMs = 3_600_000): NewWorkflowRun & { queue: string } {
  const queue = `wf-${identifier}`;
  return {
    queue,
    identifier,
    workflow: 'etl',
    payload,
    stuckAfterMs,
    tasks: tasks.map((t) => ({
      name: t.name,
      depends_on: t.depends_on ?? [],
      pass_output: t.pass_output ?? null,
      job: {
        identifier: `${identifier}/${t.name}`,
        queue,
        service_name: 'step',
        execution_type: 'noop',
        max_attempts: 1,
        payload: { ...t.payload, ...payload, workflow: { run: identifier, name: 'etl', task: t.name } },
      },
    })),
  };
}

/** Claims what the run's queue has ready, by task name. */
async function claimReady(store: Store, queue: string): Promise<Map<string, ClaimedJob>> {
  const claimed = await store.claim({ workerId: 'w1', limit: 50, leaseMs: LEASE, queues: [queue] });
  return new Map(claimed.map((c) => [c.identifier.split('/').at(-1) ?? '', c]));
}

function must<T>(value: T | undefined | null, what: string): T {
  assert.ok(value !== undefined && value !== null, `${what} exists`);
  return value;
}

async function states(store: Store, runId: number): Promise<Record<string, string>> {
  const detail = must(await store.getWorkflowRun(runId), `run ${runId}`);
  return Object.fromEntries(detail.tasks.map((t) => [t.name, t.status]));
}

async function complete(store: Store, job: ClaimedJob, tail: string | null = null): Promise<void> {
  assert.deepEqual(await store.settle([{ ...base(job), kind: 'completed', output_tail: tail }]), [job.id]);
}

// a → b → d → e, a → c → e: b is the middle task whose failure must block d and e, and nothing else.
const DIAMOND: TaskSpec[] = [
  { name: 'a' },
  { name: 'b', depends_on: ['a'] },
  { name: 'c', depends_on: ['a'] },
  { name: 'd', depends_on: ['b'] },
  { name: 'e', depends_on: ['c', 'd'] },
];

export function workflowsContract(test: Test): void {
  test('workflows: a task is released only when all it depends on completed', async (store) => {
    const run = newRun('release', DIAMOND);
    const started = await store.startWorkflowRun(run, alice);
    assert.equal(started.created, true);
    assert.deepEqual(await states(store, started.run_id), { a: 'pending', b: 'waiting', c: 'waiting', d: 'waiting', e: 'waiting' });
    const first = await claimReady(store, run.queue);
    assert.deepEqual([...first.keys()], ['a'], 'waiting tasks are never claimed');
    await complete(store, must(first.get('a'), 'a'));
    const second = await claimReady(store, run.queue);
    assert.deepEqual([...second.keys()].sort(), ['b', 'c']);
    await complete(store, must(second.get('c'), 'c'));
    assert.equal((await claimReady(store, run.queue)).size, 0, 'e still waits for d');
    await complete(store, must(second.get('b'), 'b'));
    const third = await claimReady(store, run.queue);
    assert.deepEqual([...third.keys()], ['d']);
    await complete(store, must(third.get('d'), 'd'));
    const fourth = await claimReady(store, run.queue);
    assert.deepEqual([...fourth.keys()], ['e']);
    await complete(store, must(fourth.get('e'), 'e'));
    const detail = must(await store.getWorkflowRun(run.identifier), 'run by identifier');
    assert.equal(detail.run.status, 'completed');
    assert.ok(detail.run.finished_at !== null);
    assert.deepEqual(detail.run.tasks, { completed: 5 });
    assert.deepEqual(detail.tasks.find((t) => t.name === 'e')?.depends_on, ['c', 'd']);
  });

  test('workflows: a failing middle task blocks exactly its dependents; a retry of it alone finishes the run', async (store) => {
    const run = newRun('diamond', DIAMOND);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    await complete(store, must((await claimReady(store, run.queue)).get('a'), 'a'));
    const middle = await claimReady(store, run.queue);
    const b = must(middle.get('b'), 'b');
    assert.deepEqual(await store.settle([{ ...base(b), kind: 'failed', error: err('disk full'), outcome: 'failed' }]), [b.id]);
    assert.deepEqual(await states(store, runId), { a: 'completed', b: 'failed', c: 'running', d: 'blocked', e: 'blocked' });
    const detail = must(await store.getWorkflowRun(runId), 'run');
    assert.equal(detail.tasks.find((t) => t.name === 'd')?.error_message, "upstream task 'b' failed");
    assert.equal(detail.tasks.find((t) => t.name === 'e')?.error_message, "upstream task 'd' is blocked");
    assert.equal(detail.run.status, 'running', 'c still runs');
    await complete(store, must(middle.get('c'), 'c'));
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'failed');
    // Blocked is a status like any other: counted, filtered, never claimed.
    const blocked = await store.listJobs({ status: ['blocked'], queue: run.queue }, { limit: 10 });
    assert.deepEqual(blocked.items.map((j) => j.identifier).sort(), ['diamond/d', 'diamond/e']);
    assert.equal(await store.countJobs({ status: ['blocked'], queue: run.queue }), 2);
    const counts = (await store.countsByQueueAndStatus()).filter((c) => c.queue === run.queue);
    assert.deepEqual(Object.fromEntries(counts.filter((c) => c.count > 0).map((c) => [c.status, c.count])), { completed: 2, failed: 1, blocked: 2 });

    // The operator retries the failed task alone (the job's own retry): its dependents wait again.
    const retried = must(await store.retryJob(b.id, alice), 'retried b');
    assert.equal(retried.status, 'pending');
    assert.deepEqual(await states(store, runId), { a: 'completed', b: 'pending', c: 'completed', d: 'waiting', e: 'waiting' });
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'running');
    await complete(store, must((await claimReady(store, run.queue)).get('b'), 'b again'));
    await complete(store, must((await claimReady(store, run.queue)).get('d'), 'd'));
    await complete(store, must((await claimReady(store, run.queue)).get('e'), 'e'));
    const done = must(await store.getWorkflowRun(runId), 'run');
    assert.equal(done.run.status, 'completed');
    assert.equal((await mustGet(store, b.id)).attempts, 1, 'a and c ran once; b ran again from its retry, not the run from the start');
    assert.equal((await store.listAttempts(must(done.tasks.find((t) => t.name === 'a'), 'a').job_id)).length, 1);
  });

  test("workflows: a finished task whose run lets the next one go signals 'ready'", async (store) => {
    const run = newRun('ready', [{ name: 'first' }, { name: 'next', depends_on: ['first'] }]);
    await store.startWorkflowRun(run, alice);
    const first = must((await claimReady(store, run.queue)).get('first'), 'first');
    const heard = new Set<string>();
    const off = store.subscribe((signal) => heard.add(signal));
    try {
      await complete(store, first);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual([...heard].sort(), ['jobs', 'ready']);
    } finally {
      off();
    }
    assert.deepEqual([...(await claimReady(store, run.queue)).keys()], ['next']);
  });

  test('workflows: retrying a run sends its failed tasks back; the run resumes from them', async (store) => {
    const run = newRun('retry-run', [{ name: 'x' }, { name: 'y', depends_on: ['x'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const x = must((await claimReady(store, run.queue)).get('x'), 'x');
    await store.settle([{ ...base(x), kind: 'failed', error: err('boom'), outcome: 'failed' }]);
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'failed');
    assert.deepEqual(await store.retryWorkflowRun(runId, alice), { retried: [x.id], found: 'failed' });
    assert.deepEqual(await states(store, runId), { x: 'pending', y: 'waiting' });
    assert.deepEqual(await store.retryWorkflowRun(runId, alice), { retried: [], found: 'running' }, 'nothing failed: nothing to retry, and why');
    assert.equal(await store.retryWorkflowRun(999_999, alice), null);
    await complete(store, must((await claimReady(store, run.queue)).get('x'), 'x again'));
    await complete(store, must((await claimReady(store, run.queue)).get('y'), 'y'));
    assert.deepEqual(await store.retryWorkflowRun(runId, alice), { retried: [], found: 'completed' });
    const audit = await store.listAudit({ action: 'workflow.retry' }, { limit: 5 });
    assert.equal(audit.items.length, 1, 'a retry that changed nothing is not audited');
    assert.equal(audit.items[0]?.actor, ALICE);
    assert.equal(audit.items[0]?.target, String(runId));
  });

  test('workflows: an upstream passes its output tail, or its output as JSON, under payload.workflow.upstream', async (store) => {
    const run = newRun('outputs', [
      { name: 'extract', pass_output: 'json' },
      { name: 'count', pass_output: 'tail' },
      { name: 'quiet' },
      { name: 'load', depends_on: ['extract', 'count', 'quiet'], payload: { table: 'orders' } },
    ], { date: '2026-12-04' });
    await store.startWorkflowRun(run, alice);
    const ready = await claimReady(store, run.queue);
    await complete(store, must(ready.get('extract'), 'extract'), '{"rows": 3}');
    await complete(store, must(ready.get('count'), 'count'), '3 rows\n');
    await complete(store, must(ready.get('quiet'), 'quiet'), 'not passed');
    const load = must((await claimReady(store, run.queue)).get('load'), 'load');
    assert.deepEqual(load.payload, {
      table: 'orders',
      date: '2026-12-04',
      workflow: { run: 'outputs', name: 'etl', task: 'load', upstream: { extract: { rows: 3 }, count: '3 rows\n' } },
    });
  });

  test('workflows: starting a run is idempotent by its identifier; cancelling it cancels what has not started', async (store) => {
    const run = newRun('cancel', [{ name: 'p' }, { name: 'q' }, { name: 'r', depends_on: ['p'] }]);
    const first = await store.startWorkflowRun(run, alice);
    const again = await store.startWorkflowRun(run, alice);
    assert.deepEqual(again, { ...first, created: false });
    assert.equal((await store.listWorkflowRuns({ workflow: 'etl' }, { limit: 10 })).items.length, 1);
    const running = must((await store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE, queues: [run.queue] }))[0], 'p or q');
    assert.deepEqual(await store.cancelWorkflowRun(first.run_id, alice, 'wrong date'), { cancelled: 2, stopping: 1, found: 'running' });
    const detail = must(await store.getWorkflowRun(first.run_id), 'run');
    assert.deepEqual(
      Object.fromEntries(detail.tasks.map((t) => [t.name, t.status])),
      { p: 'cancelled', q: 'cancelled', r: 'cancelled', [running.identifier.split('/')[1] ?? '']: 'running' },
    );
    assert.equal((await mustGet(store, running.id)).cancel_requested, true);
    assert.equal(detail.run.status, 'cancelled', 'cancelled at once, though its running task has yet to stop');
    const asked = must(await store.cancelJob(running.id, alice, 'the task alone'), 'the running task');
    assert.deepEqual([asked.changed, asked.request?.by, asked.request?.reason, asked.request?.workflow_run], [false, ALICE, 'wrong date', first.run_id], 'asked to stop by the run\'s cancel');
    assert.deepEqual(await store.cancelWorkflowRun(first.run_id, alice, 'again'), { cancelled: 0, stopping: 0, found: 'cancelled' }, 'a cancelled run is not cancelled again');
    const audits = (await store.listAudit({}, { limit: 50 })).items.filter((a) => a.action === 'workflow.cancel' || a.action === 'job.cancel');
    assert.deepEqual(audits.map((a) => a.action), ['workflow.cancel'], 'neither repeat is audited');
    await store.settle([{ ...base(running), kind: 'cancelled', reason: 'cancelled by an operator', ran: true }]);
    assert.equal(must(await store.getWorkflowRun(first.run_id), 'run').run.status, 'cancelled');
    assert.equal((await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, queues: [run.queue] })).length, 0);
    assert.equal((await store.runningWorkflowRuns(10)).length, 0);
  });

  test('workflows: a run keeps its stuck_after, and is read as stuck by its own', async (store) => {
    const { run_id: quick } = await store.startWorkflowRun(newRun('quick', [{ name: 'only' }], {}, 5), alice);
    const { run_id: patient } = await store.startWorkflowRun(newRun('patient', [{ name: 'only' }], {}, 3_600_000), alice);
    assert.deepEqual((await store.runningWorkflowRuns(10)).map((r) => [r.id, r.stuck_after_ms]).sort(), [[quick, 5], [patient, 3_600_000]].sort());
    assert.deepEqual(await store.runningWorkflowRuns(10, { withoutOwnStuckAfter: true }), [], 'both keep their own');
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The registry at hand would hold both to a day: each run's own decides.
    const held = { byWorkflow: new Map([['etl', 86_400_000]]), defaultMs: 86_400_000 };
    const stuckAt = async (at: Date) => (await store.stuckWorkflowRuns(at, held, 10)).map((r) => r.id);
    assert.deepEqual(await stuckAt(new Date()), [quick], 'past its own 5 ms; the other has an hour');
    assert.deepEqual(await stuckAt(new Date(Date.now() + 7_200_000)), [quick, patient]);
    assert.deepEqual(await store.stuckRunsByWorkflow(new Date(), held), [{ workflow_name: 'etl', n: 1 }]);
  });

  test("workflows: stuck runs counted exactly per workflow, and listed so one workflow's many hide none of another's", async (store) => {
    const started: Record<string, number[]> = { bulk: [], lone: [], calm: [] };
    const start = async (workflow: string, i: number, stuckAfterMs: number) => {
      const { run_id: id } = await store.startWorkflowRun({ ...newRun(`${workflow}-${i}`, [{ name: 'only' }], {}, stuckAfterMs), workflow }, alice);
      started[workflow]?.push(id);
    };
    for (let i = 0; i < 5; i++) await start('bulk', i, 5);
    await start('lone', 0, 5);
    await start('calm', 0, 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const held = { byWorkflow: new Map<string, number>(), defaultMs: 3_600_000 };
    const now = new Date();
    assert.deepEqual(await store.stuckRunsByWorkflow(now, held), [
      { workflow_name: 'bulk', n: 5 },
      { workflow_name: 'lone', n: 1 },
    ]);
    const listed = await store.stuckWorkflowRuns(now, held, 2);
    assert.deepEqual(
      listed.map((r) => r.id),
      [...(started.bulk ?? []).slice(0, 2), ...(started.lone ?? [])],
      "two of bulk's, the longest stuck, and lone's own after them: longest stuck first",
    );
    assert.deepEqual(listed.map((r) => r.tasks), [{ pending: 1 }, { pending: 1 }, { pending: 1 }], 'with their tasks by status');
    assert.deepEqual((await store.stuckWorkflowRuns(now, held, 10)).length, 6);
    assert.deepEqual(await store.stuckRunsByWorkflow(new Date(now.getTime() - 60_000), held), [], 'a minute earlier none was stuck');
  });

  test("workflows: the runs started since a time counted by status, as the tally counts them", async (store) => {
    const since = new Date(Date.now() - 1000);
    const { run_id: cancelled } = await store.startWorkflowRun(newRun('counted-1', [{ name: 'only' }]), alice);
    await store.startWorkflowRun({ ...newRun('counted-2', [{ name: 'only' }]), workflow: 'other' }, alice);
    await store.startWorkflowRun(newRun('counted-3', [{ name: 'only' }]), alice);
    await store.cancelWorkflowRun(cancelled, alice, null);
    const counts = await store.workflowRunCounts(since);
    assert.deepEqual(counts, [
      { workflow_name: 'etl', status: 'cancelled', n: 1 },
      { workflow_name: 'etl', status: 'running', n: 1 },
      { workflow_name: 'other', status: 'running', n: 1 },
    ]);
    assert.deepEqual(counts, (await store.workflowRunTally(since, null)).counts);
    assert.deepEqual(await store.workflowRunCounts(new Date(Date.now() + 1000)), []);
  });

  test('workflows: a task that fails when its lease runs out blocks its dependents in the same reclaim', async (store) => {
    const run = newRun('reclaim', [{ name: 'm' }, { name: 'n', depends_on: ['m'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const m = must((await store.claim({ workerId: 'gone', limit: 5, leaseMs: 1, queues: [run.queue] }))[0], 'm');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reclaimed = await store.reclaimExpired();
    assert.deepEqual(reclaimed.failed, [m.id], 'one attempt only: into the dead-letter queue');
    assert.deepEqual(await states(store, runId), { m: 'failed', n: 'blocked' });
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'failed');
    assert.equal((await store.dlqRetry({ job_ids: [m.id] }, alice)).retried, 1);
    assert.deepEqual(await states(store, runId), { m: 'pending', n: 'waiting' }, 'a dead-letter retry of a task revives its run too');
  });

  test('workflows: pruning never takes a waiting or blocked task, whatever the cutoffs', async (store) => {
    const run = newRun('prune', [{ name: 'up' }, { name: 'mid', depends_on: ['up'] }, { name: 'down', depends_on: ['mid'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const up = must((await claimReady(store, run.queue)).get('up'), 'up');
    await store.settle([{ ...base(up), kind: 'failed', error: err('nope'), outcome: 'failed' }]);
    const future = new Date(Date.now() + 86_400_000);
    let after = 0;
    for (;;) {
      const batch = await store.pruneBatch({ completed: future, cancelled: future, deadLetters: future, history: future }, after, 100);
      after = batch.lastId;
      if (batch.done) break;
    }
    assert.deepEqual(await states(store, runId), { up: 'failed', mid: 'blocked', down: 'blocked' });
  });

  test('workflows: the completed tasks of a running run stay until the run has finished', async (store) => {
    const run = newRun('keep', [{ name: 'first', pass_output: 'tail' }, { name: 'second' }, { name: 'last', depends_on: ['first', 'second'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const ready = await claimReady(store, run.queue);
    await complete(store, must(ready.get('first'), 'first'), 'passed on later');
    const future = new Date(Date.now() + 86_400_000);
    const cutoffs = { completed: future, cancelled: future, deadLetters: future, history: future };
    const pruneAll = async () => {
      let after = 0;
      let completed = 0;
      for (;;) {
        const batch = await store.pruneBatch(cutoffs, after, 100);
        completed += batch.completed;
        after = batch.lastId;
        if (batch.done) return completed;
      }
    };
    assert.equal(await pruneAll(), 0, 'first completed, but its run still runs');
    await complete(store, must(ready.get('second'), 'second'));
    const last = must((await claimReady(store, run.queue)).get('last'), 'last');
    assert.deepEqual(last.payload, { workflow: { run: 'keep', name: 'etl', task: 'last', upstream: { first: 'passed on later' } } });
    await complete(store, last);
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'completed');
    assert.equal(await pruneAll(), 3, 'the run finished: its tasks go like any completed job');
    assert.equal(await store.getWorkflowRun(runId), null, 'and the run with its last task');
  });

  test('workflows: a failed run is kept whole while any of it is, so a retried task still finds its upstreams', async (store) => {
    const run = newRun('kept-whole', [{ name: 'x', pass_output: 'tail' }, { name: 'y' }, { name: 'z', depends_on: ['x', 'y'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const ready = await claimReady(store, run.queue);
    await complete(store, must(ready.get('x'), 'x'), 'X-OUTPUT');
    const y = must(ready.get('y'), 'y');
    await store.settle([{ ...base(y), kind: 'failed', error: err('broken'), outcome: 'failed' }]);
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'failed');
    const future = new Date(Date.now() + 86_400_000);
    const cutoffs = { completed: future, cancelled: future, deadLetters: future, history: future };
    assert.deepEqual(await store.pruneEstimate(cutoffs).then((e) => [e.completed, e.cancelled, e.dead_letters]), [0, 0, 0]);
    assert.deepEqual(await pruneEverything(store, cutoffs, 1), { completed: 0, cancelled: 0, dead_letters: 0 }, 'y is an open dead letter: none of its run goes');
    assert.deepEqual(await states(store, runId), { x: 'completed', y: 'failed', z: 'blocked' });
    assert.ok(await store.retryJob(y.id, alice));
    await complete(store, must((await claimReady(store, run.queue)).get('y'), 'y retried'));
    const z = must((await claimReady(store, run.queue)).get('z'), 'z');
    assert.deepEqual(z.payload, { workflow: { run: 'kept-whole', name: 'etl', task: 'z', upstream: { x: 'X-OUTPUT' } } });
  });

  test('workflows: JSON output with a number no reader can hold passes as null, and the dependent still reads', async (store) => {
    const run = newRun('huge', [{ name: 'x', pass_output: 'json' }, { name: 'z', depends_on: ['x'] }]);
    await store.startWorkflowRun(run, alice);
    await complete(store, must((await claimReady(store, run.queue)).get('x'), 'x'), '{"big": 1e400}');
    const z = must((await claimReady(store, run.queue)).get('z'), 'z');
    assert.deepEqual(z.payload, { workflow: { run: 'huge', name: 'etl', task: 'z', upstream: { x: null } } });
    assert.ok(await store.getJob(z.id));
    assert.equal((await store.listJobs({ queue: run.queue }, { limit: 10 })).items.length, 2);
  });

  test('workflows: JSON output holding a NUL or a lone surrogate escape passes as null on every store', async (store) => {
    for (const [name, tail] of [['nul', '{"note": "a\\u0000b"}'], ['surrogate', '{"note": "\\ud800"}'], ['key', '{"\\u0000": 1}']] as const) {
      const run = newRun(`odd-${name}`, [{ name: 'x', pass_output: 'json' }, { name: 'z', depends_on: ['x'] }]);
      await store.startWorkflowRun(run, alice);
      await complete(store, must((await claimReady(store, run.queue)).get('x'), 'x'), tail);
      const z = must((await claimReady(store, run.queue)).get('z'), 'z');
      assert.deepEqual(z.payload, { workflow: { run: `odd-${name}`, name: 'etl', task: 'z', upstream: { x: null } } }, name);
    }
  });

  test('workflows: a run that has finished is not cancelled: nothing changes and nothing is audited', async (store) => {
    const done = newRun('finished', [{ name: 'a' }]);
    const { run_id: doneRun } = await store.startWorkflowRun(done, alice);
    await complete(store, must((await claimReady(store, done.queue)).get('a'), 'a'));
    const broken = newRun('broken', [{ name: 'x' }, { name: 'y', depends_on: ['x'] }]);
    const { run_id: brokenRun } = await store.startWorkflowRun(broken, alice);
    const x = must((await claimReady(store, broken.queue)).get('x'), 'x');
    await store.settle([{ ...base(x), kind: 'failed', error: err('bad row'), outcome: 'failed' }]);
    assert.deepEqual(await store.cancelWorkflowRun(doneRun, alice, 'too late'), { cancelled: 0, stopping: 0, found: 'completed' });
    assert.deepEqual(await store.cancelWorkflowRun(brokenRun, alice, 'too late'), { cancelled: 0, stopping: 0, found: 'failed' });
    assert.deepEqual(await states(store, brokenRun), { x: 'failed', y: 'blocked' }, 'what its failure blocked stays blocked, for a retry');
    assert.equal(must(await store.getWorkflowRun(brokenRun), 'run').run.status, 'failed');
    assert.equal(await store.cancelWorkflowRun(987_654, alice, null), null);
    assert.deepEqual((await store.listAudit({ action: 'workflow.cancel' }, { limit: 10 })).items, []);
  });

  test('workflows: two operators cancelling one run at once: one cancels it, the other finds it cancelled', async (store, handle) => {
    if (!handle.openSecond) return;
    const other = await handle.openSecond();
    try {
      const run = newRun('raced', [{ name: 'a' }, { name: 'b', depends_on: ['a'] }]);
      const { run_id: runId } = await store.startWorkflowRun(run, alice);
      const both = await Promise.all([store.cancelWorkflowRun(runId, alice, 'alice'), other.cancelWorkflowRun(runId, alice, 'bob')]);
      assert.deepEqual(both.map((c) => c?.found).sort(), ['cancelled', 'running']);
      assert.deepEqual(both.map((c) => c?.cancelled).sort(), [0, 2]);
      assert.equal((await store.listAudit({ action: 'workflow.cancel' }, { limit: 10 })).items.length, 1);
    } finally {
      await other.close();
    }
  });

  test('workflows: a retried task runs only once its upstreams have completed, after a cancel too', async (store) => {
    const run = newRun('chain', [{ name: 'a' }, { name: 'b', depends_on: ['a'] }, { name: 'c', depends_on: ['b'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    must(await store.cancelWorkflowRun(runId, alice, 'not today'), 'cancelled');
    assert.deepEqual(await states(store, runId), { a: 'cancelled', b: 'cancelled', c: 'cancelled' });
    const b = must((await store.getWorkflowRun(runId))?.tasks.find((t) => t.name === 'b'), 'b');
    assert.equal(must(await store.retryJob(b.job_id, alice), 'b retried').status, 'blocked', 'its upstream was cancelled');
    assert.deepEqual([...(await claimReady(store, run.queue)).keys()], []);
    assert.deepEqual(must(await store.retryWorkflowRun(runId, alice), 'run retried').retried.length, 2, 'a and c; b was no longer cancelled');
    assert.deepEqual(await states(store, runId), { a: 'pending', b: 'waiting', c: 'waiting' });
    for (const name of ['a', 'b', 'c']) {
      const ready = await claimReady(store, run.queue);
      assert.deepEqual([...ready.keys()], [name], `only ${name} is claimable`);
      await complete(store, must(ready.get(name), name));
    }
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'completed');
    assert.deepEqual(await store.checkCounts(false), []);
  });

  test('workflows: a task retried on a cancelled run makes the run running while it runs, in the running views too', async (store) => {
    const run = newRun('revived', [{ name: 'solo' }, { name: 'other' }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    must(await store.cancelWorkflowRun(runId, alice, 'wrong input'), 'cancelled');
    const solo = must((await store.getWorkflowRun(runId))?.tasks.find((t) => t.name === 'solo'), 'solo');
    assert.equal(must(await store.retryJob(solo.job_id, alice), 'solo retried').status, 'pending');
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'running');
    assert.ok((await store.runningWorkflowRuns(10)).some((r) => r.id === runId), 'among the running runs');
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.finished_at, null);
    await complete(store, must((await claimReady(store, run.queue)).get('solo'), 'solo'));
    assert.equal(must(await store.getWorkflowRun(runId), 'run').run.status, 'failed', "'other' stays cancelled: the run did not complete");

    // A dead letter of a cancelled run, retried from the dead-letter queue, does the same.
    const dl = newRun('revived-dl', [{ name: 'x' }, { name: 'y' }]);
    const { run_id: dlRun } = await store.startWorkflowRun(dl, alice);
    const x = must((await store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE, queues: [dl.queue] }))[0], 'x');
    assert.equal(x.identifier, 'revived-dl/x');
    await store.settle([{ ...base(x), kind: 'failed', error: err('bad row'), outcome: 'failed' }]);
    must(await store.cancelWorkflowRun(dlRun, alice, 'later'), 'cancelled');
    assert.equal(must(await store.getWorkflowRun(dlRun), 'run').run.status, 'cancelled');
    assert.equal((await store.dlqRetry({ job_ids: [x.id] }, alice)).retried, 1);
    assert.equal(must(await store.getWorkflowRun(dlRun), 'run').run.status, 'running');
    assert.deepEqual(await store.checkCounts(false), []);
  });

  test('workflows: purging resolved dead letters leaves a run\'s failed task, so its dependents stay blocked', async (store) => {
    const run = newRun('purged', [{ name: 'x' }, { name: 'y' }, { name: 'z', depends_on: ['x', 'y'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const ready = await claimReady(store, run.queue);
    const x = must(ready.get('x'), 'x');
    await store.settle([{ ...base(x), kind: 'failed', error: err('broken'), outcome: 'failed' }]);
    assert.equal(await store.dlqResolve({ job_ids: [x.id] }, 'given up', alice), 1);
    const future = new Date(Date.now() + 60_000);
    assert.equal(await store.purgeResolvedCount(future), 0);
    assert.equal(await store.purgeResolved(future, alice), 0);
    await complete(store, must(ready.get('y'), 'y'));
    assert.deepEqual(await states(store, runId), { x: 'failed', y: 'completed', z: 'blocked' });
    assert.deepEqual([...(await claimReady(store, run.queue)).keys()], [], 'z never runs');
  });

  test('workflows: a finished run whose dead letters were resolved goes whole, blocked tasks too, though its tasks span batches', async (store) => {
    const run = newRun('gone-whole', [{ name: 'x' }, { name: 'y' }, { name: 'z', depends_on: ['x', 'y'] }]);
    const { run_id: runId } = await store.startWorkflowRun(run, alice);
    const ready = await claimReady(store, run.queue);
    await complete(store, must(ready.get('x'), 'x'));
    const y = must(ready.get('y'), 'y');
    await store.settle([{ ...base(y), kind: 'failed', error: err('broken'), outcome: 'failed' }]);
    assert.equal(await store.dlqResolve({ job_ids: [y.id] }, 'given up', alice), 1);
    const past = new Date(Date.now() - 3_600_000);
    assert.deepEqual(await pruneEverything(store, { completed: past, cancelled: past, deadLetters: past, history: past }, 1), { completed: 0, cancelled: 0, dead_letters: 0 });
    const future = new Date(Date.now() + 86_400_000);
    const cutoffs = { completed: future, cancelled: future, deadLetters: future, history: future };
    assert.deepEqual(await store.pruneEstimate(cutoffs).then((e) => [e.completed, e.cancelled, e.dead_letters]), [1, 0, 2]);
    assert.deepEqual(await pruneEverything(store, cutoffs, 1), { completed: 1, cancelled: 0, dead_letters: 2 });
    assert.equal(await store.getWorkflowRun(runId), null);
    assert.deepEqual((await store.countsByQueueAndStatus()).filter((c) => c.queue === run.queue && c.count !== 0), [], 'the kept counts follow');
  });
}

/** What a whole prune took away, without fixtures' count of batches. */
async function pruneEverything(store: Store, cutoffs: PruneCutoffs, size: number): Promise<{ completed: number; cancelled: number; dead_letters: number }> {
  const { batches: _batches, ...went } = await pruneAll(store, cutoffs, size);
  return went;
}
