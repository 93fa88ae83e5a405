import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { fingerprint } from '../engine/fingerprint.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = ['services:', '  - name: payments', '    execution_type: http', '    runner_config: { base_url: "http://127.0.0.1:18777" }', ''].join('\n');
const SOCKET = 'POST http://127.0.0.1:18777/charges: the server closed the connection (UND_ERR_SOCKET)';
const UNAVAILABLE = 'POST http://127.0.0.1:18777/charges answered 503 Service Unavailable';

/** `n` dead letters of payments, failed of `errorClass` with `message`, fingerprinted as the engine does. */
async function deadLetters(store: Store, n: number, message: string, errorClass: string): Promise<void> {
  const queue = `q-${errorClass}`;
  await store.enqueue(Array.from({ length: n }, () => ({ queue, service_name: 'payments', execution_type: 'http' as const, max_attempts: 1 })));
  const claimed = await store.claim({ workerId: 'w', limit: n, leaseMs: 60_000, queues: [queue] });
  assert.equal(claimed.length, n);
  const error = { message, error_class: errorClass, fingerprint: fingerprint(message, 'payments', errorClass) };
  await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'failed' as const, outcome: 'failed' as const, error })));
}

/** A dead letter of payments whose first attempt timed out and whose second failed of `errorClass`. */
async function timedOutFirst(store: Store, message: string, errorClass: string): Promise<number> {
  const queue = 'q-timed-out-first';
  await store.enqueue([{ queue, service_name: 'payments', execution_type: 'http', max_attempts: 2 }]);
  const [first] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: [queue] });
  assert.ok(first);
  const timeout = { message: 'timed out after 2s', error_class: 'timeout', fingerprint: fingerprint('timed out after 2s', 'payments', 'timeout') };
  await store.settle([{ jobId: first.id, attemptId: first.attempt_id, workerId: 'w', kind: 'retry', outcome: 'timed_out', error: timeout, run_at: new Date(Date.now() - 1000).toISOString() }]);
  const [second] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: [queue] });
  assert.equal(second?.id, first.id);
  const error = { message, error_class: errorClass, fingerprint: fingerprint(message, 'payments', errorClass) };
  await store.settle([{ jobId: second.id, attemptId: second.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error }]);
  return first.id;
}

/** The operator's walk of the runbook's dead-letter steps against the CLI: its search words are not the errors', its commands not opsdeck's. */
describe("the runbook's dead-letter steps, as an operator walked them", { concurrency: 2 }, () => {
  let dir = '';
  let common: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-dlq-classes-'));
    const db = join(dir, 'dlq.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    common = ['--db', db, '--registry', registry];
    const store = await openStore(db);
    try {
      await deadLetters(store, 3, SOCKET, 'connection');
      await deadLetters(store, 4, UNAVAILABLE, 'http_503');
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a dry run that matches nothing says so, not to run it again, and names the classes the open dead letters are of', async () => {
    const dry = await opsdeck(['dlq', 'retry', '--search', 'connection reset', '--dry-run', ...common]);
    assert.equal(dry.code, 1);
    assert.equal(dry.stdout, 'would retry 0 dead letters: none matches\n');
    assert.deepEqual(dry.stderr.trim().split('\n'), [
      'opsdeck: no open dead letter matches --search "connection reset"; nothing would be retried',
      'opsdeck: open dead letters by class: http_503 4, connection 3: try --class connection, or opsdeck dlq groups for their errors',
    ]);
    const listed = await opsdeck(['dlq', 'list', '--search', 'timed out', ...common]);
    assert.equal(listed.stdout.trim(), 'no dead letters match');
    assert.match(listed.stderr, /^opsdeck: open dead letters by class: http_503 4, connection 3: --class CLASS picks one, opsdeck dlq groups shows their errors$/m);
  });

  it('--class picks them for list, retry and resolve, as jobs --class picks jobs; groups shows each group\'s class', async () => {
    assert.match(ok(await opsdeck(['dlq', 'retry', '--class', 'connection', '--dry-run', ...common])), /^would retry 3 dead letters; run again without --dry-run to do it$/m);
    assert.match(ok(await opsdeck(['dlq', 'resolve', '--class', 'http_5xx', '--dry-run', ...common])), /^would resolve 4 dead letters/m);
    const Page = z.object({ jobs: z.array(z.object({ error_message: z.string() })) });
    const page = Page.parse(JSON.parse(ok(await opsdeck(['dlq', 'list', '--class', 'connection', '--json', ...common]))));
    assert.deepEqual(page.jobs.map((j) => j.error_message), [SOCKET, SOCKET, SOCKET]);
    const groups = ok(await opsdeck(['dlq', 'groups', '--wide', ...common]));
    assert.match(groups, /^FINGERPRINT +COUNT +CLASS +SERVICES /m);
    assert.match(groups, /^[0-9a-f]{16} +4 +http_503 +payments /m);
    assert.match(groups, /^[0-9a-f]{16} +3 +connection +payments /m);
    assert.match(groups, /^7 dead letters, 2 groups; retry a group with: opsdeck dlq retry --fingerprint FP$/m);

    const none = await opsdeck(['dlq', 'retry', '--class', 'timeout', ...common]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^opsdeck: no open dead letter matches --class timeout; nothing retried$/m);
    assert.match(none.stderr, /^opsdeck: open dead letters by class: http_503 4, connection 3: --class CLASS picks one/m);
    const typo = await opsdeck(['dlq', 'list', '--class', 'conection', ...common]);
    assert.match(typo.stderr, /conection is no failure class opsdeck writes \(did you mean connection\?\)/);
    const form = await opsdeck(['dlq', 'retry', '--class', 'Connection Reset', ...common]);
    assert.equal(form.code, 2);
    assert.match(form.stderr, /--class takes a failure class such as/);
  });

  it('dlq alone lists, as breaker, workflow and schedule do; a runbook\'s X-all names the option that does it', async () => {
    const alone = await opsdeck(['dlq', ...common]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.equal(alone.stdout, ok(await opsdeck(['dlq', 'list', ...common])));
    assert.match(alone.stdout, /UND_ERR_SOCKET/);
    const resetAll = await opsdeck(['breaker', 'reset-all', ...common]);
    assert.equal(resetAll.code, 2);
    assert.match(resetAll.stderr, /^opsdeck: breaker has no reset-all: opsdeck breaker reset --all \[--reason TEXT\] does it to every breaker; see opsdeck breaker --help$/m);
    const retryAll = await opsdeck(['dlq', 'retry_all', ...common]);
    assert.equal(retryAll.code, 2);
    assert.match(retryAll.stderr, /opsdeck dlq retry --all retries every open dead letter/);
  });
});

describe('dead letters whose attempt recorded no class', () => {
  let dir = '';
  let common: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-dlq-unclassified-'));
    const db = join(dir, 'dlq.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    common = ['--db', db, '--registry', registry];
    const store = await openStore(db);
    try {
      await deadLetters(store, 2, SOCKET, 'connection');
      await deadLetters(store, 1, UNAVAILABLE, 'http_503');
    } finally {
      await store.close();
    }
    // As a dead letter written before classes were kept reads.
    const file = new Database(db);
    try {
      file.prepare(`UPDATE tb_job_attempt SET error_class = NULL WHERE error_class = 'http_503'`).run();
    } finally {
      file.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are counted apart from the classes, as what no --class picks, and --fingerprint named for them', async () => {
    const none = await opsdeck(['dlq', 'list', '--class', 'timeout', ...common]);
    assert.equal(none.stdout.trim(), 'no dead letters match');
    const one = ok(await opsdeck(['dlq', 'groups', '--service', 'payments', '--search', 'closed the connection', ...common]));
    assert.match(one, /^2 dead letters, 1 group; retry a group with/m);
    assert.match(
      none.stderr,
      /^opsdeck: open dead letters by class: connection 2, unclassified 1: --class CLASS picks one, --fingerprint FP the unclassified; opsdeck dlq groups shows their errors and fingerprints$/m,
    );
  });
});

describe('--class acts on what its dry run counted, the class each dead letter failed for good of', () => {
  let dir = '';
  let db = '';
  let common: string[] = [];
  let timedOut = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-dlq-class-runs-'));
    db = join(dir, 'dlq.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    common = ['--db', db, '--registry', registry];
    const store = await openStore(db);
    try {
      await deadLetters(store, 2, SOCKET, 'connection');
      timedOut = await timedOutFirst(store, SOCKET, 'connection');
      await deadLetters(store, 2, UNAVAILABLE, 'http_503');
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves the ones its dry run counted and no other, and no earlier attempt\'s class picks a dead letter', async () => {
    const Page = z.object({ jobs: z.array(z.object({ id: z.number() })) });
    const listed = async (...args: string[]) => Page.parse(JSON.parse(ok(await opsdeck(['dlq', 'list', ...args, '--json', ...common])))).jobs.map((j) => j.id);
    const all = await listed();
    assert.equal(all.length, 5);

    // The job timed out once, then failed of connection: a connection dead letter, no timeout one.
    const timeout = await opsdeck(['dlq', 'resolve', '--class', 'timeout', '--note', 'timeouts are fixed', ...common]);
    assert.equal(timeout.code, 1);
    assert.match(timeout.stderr, /^opsdeck: no open dead letter matches --class timeout; nothing resolved$/m);
    assert.deepEqual(await listed(), all);

    const connection = await listed('--class', 'connection');
    assert.equal(connection.length, 3);
    assert.ok(connection.includes(timedOut));
    assert.equal(ok(await opsdeck(['dlq', 'resolve', '--class', 'connection', '--dry-run', ...common])), 'would resolve 3 dead letters; run again without --dry-run to do it\n');
    assert.equal(ok(await opsdeck(['dlq', 'resolve', '--class', 'connection', '--note', 'the upstream is back', ...common])), 'resolved 3 dead letters\n');
    assert.deepEqual(await listed(), all.filter((id) => !connection.includes(id)));
    const store = await openStore(db);
    try {
      for (const id of connection) assert.equal((await store.getJob(id))?.resolution, 'the upstream is back');
    } finally {
      await store.close();
    }

    assert.match(ok(await opsdeck(['dlq', 'retry', '--class', 'http_5xx', '--dry-run', ...common])), /^would retry 2 dead letters; run again without --dry-run to do it$/m);
    assert.match(ok(await opsdeck(['dlq', 'retry', '--class', 'http_5xx', ...common])), /^retried 2 dead letters$/m);
    assert.deepEqual(await listed(), []);
  });
});
