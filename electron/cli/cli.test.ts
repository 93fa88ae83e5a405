import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pgLib from 'pg';
import * as tar from 'tar';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { openStore } from '../store/open.ts';

const BIN = fileURLToPath(new URL('../../bin/opsdeck.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../config/fixtures/', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real command, as an operator runs it: a child process of this Node. */
function opsdeck(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1', ...opts.env };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

function json(run: Run): unknown {
  assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const Status = z.object({
  counts: z.object({ pending: z.number(), running: z.number(), completed: z.number(), failed: z.number(), cancelled: z.number(), waiting: z.number(), blocked: z.number() }).strict(),
  queues: z.record(z.string(), z.object({ pending: z.number(), running: z.number(), completed: z.number(), failed: z.number(), cancelled: z.number(), oldest_due_age_s: z.number().nullable() })),
  control: z.object({ emergency_stop: z.object({ engaged: z.boolean() }) }),
});

function oneLine(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got: ${JSON.stringify(text)}`);
  return lines[0] ?? '';
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case spawns real processes that mostly wait on I/O: two at a time halves the file's wall time.
describe('opsdeck CLI on SQLite', { concurrency: 2 }, () => {
  it('--help lists the commands and exits 0; no command is a usage error', async () => {
    const help = await opsdeck(['--help']);
    assert.equal(help.code, 0);
    for (const name of ['status', 'enqueue', 'dlq', 'emergency-stop', 'health-check', 'support-bundle', 'worker']) assert.match(help.stdout, new RegExp(`\\n  ${name} `));
    const sub = await opsdeck(['dlq', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--dry-run/);
    assert.equal((await opsdeck([])).code, 2);
    const unknown = await opsdeck(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(oneLine(unknown.stderr), /^opsdeck: unknown command "frobnicate"/);
  });

  it('takes the common options before the command too, and names opsdeck\'s option for another system\'s', async () => {
    const db = join(dir, 'options-first.db');
    await (await openStore(db)).close();
    const before = await opsdeck(['--db', db, '--json', 'status']);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(typeof (JSON.parse(before.stdout) as { counts: unknown }).counts, 'object');
    const inline = await opsdeck([`--db=${db}`, 'status']);
    assert.equal(inline.code, 0, inline.stderr);
    assert.match(inline.stdout, /\| {2}open dead letters 0 /, 'the dead letters open now');
    assert.match(inline.stdout, /^last hour: 0 completed, 0 sent to the dead-letter queue \(failure rate -\); oldest due job waiting -$/m, 'sendings, which a job sent twice counts twice');
    assert.match(inline.stdout, /^failed attempts of the last hour, retried or dead-lettered, grouped by cause: opsdeck errors$/m, 'where the failed attempts are, in a sentence of its own');
    const other = await opsdeck(['status', '--store', db]);
    assert.equal(other.code, 2);
    assert.equal(oneLine(other.stderr), "opsdeck: unknown option --store: opsdeck's is --db; see opsdeck status --help");
    const none = await opsdeck(['--db', db, '--json']);
    assert.equal(none.code, 2);
    assert.match(oneLine(none.stderr), /^opsdeck: no command given, only --db: opsdeck COMMAND \[options\]/);
    const stray = await opsdeck(['--verbose', 'status']);
    assert.equal(stray.code, 2);
    assert.match(oneLine(stray.stderr), /^opsdeck: the command comes first, then its options \("--verbose" is none of the common ones\)/);
  });

  it("enqueue --help says a worker without the job's service hands it back unrun, no attempt spent, for a worker that has it", async () => {
    const help = await opsdeck(['enqueue', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /hands the job back unrun, no attempt spent \("not in this worker's registry"\), and leaves the service to workers whose registry has it/);
    assert.match(help.stdout, /the job stays pending until one runs it/);
    assert.doesNotMatch(help.stdout, /spends an attempt|dead letter/, 'the job is never failed for want of its service');
  });

  it('jobs --help names every failure class, noop among them, and says rate_limited also picks http_429', async () => {
    const help = await opsdeck(['jobs', '--help']);
    assert.equal(help.code, 0);
    const line = help.stdout.split('\n').find((l) => /^\s+--class /.test(l)) ?? '';
    assert.match(line, /\bnoop\b/);
    assert.match(line, /rate_limited also picks http_429/);
  });

  it('enqueue then status shows one pending job', async () => {
    const db = join(dir, 'one.db');
    const enq = z.object({ id: z.number(), identifier: z.string(), created: z.literal(true) }).parse(json(await opsdeck(['enqueue', 'demo', '--db', db, '--json', '--payload', '{"n":1}'])));
    const status = Status.parse(json(await opsdeck(['status', '--db', db, '--json'])));
    assert.deepEqual(status.counts, { pending: 1, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: 0, blocked: 0 });
    assert.equal(status.queues.default?.pending, 1);
    assert.equal(status.control.emergency_stop.engaged, false);
    const trace = z.object({ id: z.number(), status: z.string(), payload: z.unknown(), attempts: z.array(z.unknown()) }).parse(json(await opsdeck(['job', enq.identifier, '--db', db, '--json'])));
    assert.deepEqual([trace.id, trace.status, trace.payload, trace.attempts.length], [enq.id, 'pending', { n: 1 }, 0]);
    const missing = await opsdeck(['job', '999', '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(oneLine(missing.stderr), /^opsdeck: no job "999"/);
  });

  it("a job that completed after a failed attempt shows that failure as an earlier error, not as its error", async () => {
    const db = join(dir, 'earlier-error.db');
    const store = await openStore(db);
    try {
      const [queued] = await store.enqueue([{ queue: 'default', service_name: 'demo', execution_type: 'noop', max_attempts: 3, payload: {} }]);
      assert.ok(queued);
      const claimOne = async () => {
        const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
        assert.ok(claimed);
        return { jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1' };
      };
      const error = { message: 'upstream said 503', error_class: 'http_5xx', fingerprint: 'f' };
      await store.settle([{ ...(await claimOne()), kind: 'retry', outcome: 'failed', error, run_at: new Date(Date.now() - 1000).toISOString() }]);
      await store.settle([{ ...(await claimOne()), kind: 'completed' }]);
      const shown = await opsdeck(['job', String(queued.id), '--db', db]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /^earlier error:\s+upstream said 503$/m);
      assert.doesNotMatch(shown.stdout, /^error:/m);
      assert.match(shown.stdout, /^\s*1\s+failed\s.*\shttp_5xx\s+upstream said 503$/m, 'each attempt with its failure class');
      const listed = await opsdeck(['jobs', '--db', db]);
      assert.match(listed.stdout, /completed .* earlier: upstream said 503/, 'the list says it too');
    } finally {
      await store.close();
    }
  });

  it('a job retried by an operator counts its attempts again and says how many came before', async () => {
    const db = join(dir, 'retried.db');
    const store = await openStore(db);
    try {
      const [queued] = await store.enqueue([{ queue: 'default', service_name: 'demo', execution_type: 'noop', max_attempts: 3, payload: {} }]);
      assert.ok(queued);
      const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      const error = { message: 'bad input; the upstream may take it again after 2026-12-06T19:02:43.053Z', error_class: 'payload', fingerprint: 'f' };
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'failed', outcome: 'failed', error }]);
    } finally {
      await store.close();
    }
    assert.equal((await opsdeck(['retry', '1', '--db', db])).code, 0);
    const again = await openStore(db);
    try {
      const [claimed] = await again.claim({ workerId: 'w2', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      const usage = { duration_ms: 125_000, peak_memory_kb: 2048, cpu_ms: 4_500 };
      await again.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w2', kind: 'retry', outcome: 'failed', run_at: new Date(Date.now() + 3_600_000).toISOString(), resource_usage: usage, error: { message: 'still bad', error_class: 'payload', fingerprint: 'f' } }]);
    } finally {
      await again.close();
    }
    const shown = await opsdeck(['job', '1', '--db', db], { env: { TZ: 'Asia/Tokyo' } });
    assert.match(shown.stdout, /^peak memory:\s+2\.0 MiB$/m);
    // In the console's duration format (shared durationText), not milliseconds counted past a second.
    assert.match(shown.stdout, /^cpu time:\s+4\.50 s$/m);
    assert.match(shown.stdout, /^duration:\s+2m 5s$/m);
    const numbers = shown.stdout.split('\n').filter((line) => /^\s*\d+\s+(failed|retry)/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
    assert.deepEqual(numbers, ['1', '2'], 'numbered through the history, not from one again after the retry: ' + shown.stdout);
    assert.match(shown.stdout, /^attempts:\s+1 of 3 since a retry \(1 before it, listed below\)$/m);
    const inZone = shown.stdout.split('\n').filter((line) => line.includes('bad input;'));
    assert.equal(inZone.length, 1, 'the first attempt: ' + shown.stdout);
    // The attempts table cuts a long error in its middle, between words, so its end, the time, shows whole.
    for (const line of inZone) assert.match(line, / 2026-12-07 04:02:43\+09:00$/, "a time inside an error is in the reader's zone too, to the second");
  });

  it('cancel, retry and fail take a job by its identifier too, as job does', async () => {
    const db = join(dir, 'by-identifier.db');
    json(await opsdeck(['enqueue', 'demo', '--identifier', 'invoice-42', '--db', db, '--json']));
    const cancelled = await opsdeck(['cancel', 'invoice-42', '--reason', 'wrong customer', '--db', db]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /^job \d+ cancelled$/m);
    const retried = await opsdeck(['retry', 'invoice-42', '--db', db]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /\(invoice-42\) is pending again/);
    const unknown = await opsdeck(['cancel', 'invoice-43', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.match(oneLine(unknown.stderr), /^opsdeck: no job "invoice-43"/);
  });

  it('bulk enqueue is all or nothing, and names every bad line', async () => {
    const db = join(dir, 'bulk.db');
    const bad = ['{"identifier":"a"}', 'not json', '', '{"priority":"high"}', '{"identifier":"d","payload":{"x":1}}', '{"payload":[1,2]}', '{"service":"other"}', '{"idenitfier":"e"}', '{"priority":1.5,"run_at":"tomorrow"}', '{"queue":5}', '[1,2]', 'null', '"str"', '{"priority":1e400}'].join('\n');
    const refused = await opsdeck(['enqueue', 'svc', '--from', '-', '--db', db], { input: bad });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /stdin:2: not JSON/);
    assert.match(refused.stderr, /^opsdeck: stdin:4: priority: must be a whole number from -1000 to 1000 \(higher runs first\), not "high"$/m);
    assert.match(
      refused.stderr,
      /^opsdeck: stdin:9: priority: must be a whole number from -1000 to 1000 \(higher runs first\), not 1\.5; run_at: must be an ISO time with its zone, such as 2026-12-04T09:00:00Z, not "tomorrow"$/m,
    );
    assert.match(refused.stderr, /^opsdeck: stdin:10: queue: must be a queue name: text of 1 to 100 characters, not 5$/m);
    assert.doesNotMatch(refused.stderr, /Invalid input|expected number|received/, "zod's own words stay out");
    assert.match(refused.stderr, /^opsdeck: stdin:11: a line must be a JSON object such as \{"payload": \{…\}\}, not an array$/m);
    assert.match(refused.stderr, /^opsdeck: stdin:12: a line must be a JSON object such as \{"payload": \{…\}\}, not null$/m);
    assert.match(refused.stderr, /^opsdeck: stdin:13: a line must be a JSON object such as \{"payload": \{…\}\}, not a string$/m);
    assert.match(refused.stderr, /^opsdeck: stdin:14: priority: must be a whole number from -1000 to 1000 \(higher runs first\), not a number too large$/m);
    assert.match(refused.stderr, /opsdeck: 11 bad line\(s\); nothing was enqueued/);
    assert.match(refused.stderr, /stdin:6: payload: must be a JSON object, such as \{"date": "2026-12-04"\}, not an array/);
    assert.match(refused.stderr, /stdin:7: service: not a field of a line: every line is a job of the command's SERVICE \(opsdeck enqueue SERVICE --from FILE\); give each service its own --from/);
    assert.match(refused.stderr, /stdin:8: idenitfier: not a field; did you mean identifier\?/);
    assert.doesNotMatch(refused.stderr, /stdin:(1|3|5):/);
    const none = await opsdeck(['status', '--db', db]);
    assert.equal(none.code, 1, 'the refused batch created nothing, not even the store');
    assert.match(none.stderr, /there is no opsdeck store at \S+bulk\.db: the file does not exist/);

    const file = join(dir, 'jobs.jsonl');
    await writeFile(
      file,
      // Saved with a byte order mark, as some Windows editors write UTF-8: the first line is still JSON.
      '\uFEFF' + ['{"identifier":"a"}', '{"identifier":"b","queue":"q2","priority":3}', '{"payload":{"rows":[1,2]}}', '{"identifier":"c","queue":"later","run_at":"2099-01-01T00:00:00Z"}', ''].join('\n'),
    );
    const done = z.object({ created: z.number() }).parse(json(await opsdeck(['enqueue', 'svc', '--from', file, '--db', db, '--json'])));
    assert.equal(done.created, 4);
    const status = Status.parse(json(await opsdeck(['status', '--db', db, '--json'])));
    assert.equal(status.counts.pending, 4);
    assert.equal(status.queues.q2?.pending, 1);
    assert.ok((status.queues.q2?.oldest_due_age_s ?? -1) >= 0, 'a due job has waited');
    assert.equal(status.queues.later?.oldest_due_age_s, null, 'a job due in 2099 is not waiting');
    const table = (await opsdeck(['status', '--db', db])).stdout;
    assert.match(table, /QUEUE +PENDING .* OLDEST DUE/);
    assert.match(table, /\nlater +1 .* - *\n/);
    assert.match(table, /\nq2 +1 .* \d+s *\n/);
    const later = await opsdeck(['job', 'c', '--db', db], { env: { TZ: 'Asia/Tokyo' } });
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /scheduled for 2099-01-01 09:00:00\+09:00 \(in \d+d \d+h\)/, 'a waiting reason\'s time is in the reader\'s zone');
    const utc = await opsdeck(['job', 'c', '--db', db, '--utc'], { env: { TZ: 'Asia/Tokyo' } });
    assert.match(utc.stdout, /scheduled for 2099-01-01 00:00:00Z/);
    const scheduled = await opsdeck(['jobs', '--scheduled', '--db', db, '--utc']);
    assert.match(scheduled.stdout, /RUN AT +IN +TRIES/);
    assert.match(scheduled.stdout, /\bc +svc +later +2099-01-01 00:00:00Z +\d+d \d+h +0\/\d/);

    const first = await opsdeck(['jobs', '--status', 'pending', '--limit', '2', '--db', db]);
    const more = /^more: opsdeck (jobs .*)$/m.exec(first.stdout)?.[1];
    assert.ok(more, first.stdout);
    assert.ok(more.startsWith(`jobs --status=pending --limit=2 --db=${db} --after=`), more);
    const next = await opsdeck(more.split(' '));
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stdout.split('\n').filter((line) => /^\s*\d+ /.test(line)).length, 2, 'the line pastes as the next page: ' + next.stdout);
  });

  it('refuses a bad --db in one line, quickly, with exit 1', async () => {
    for (const [db, pattern] of [
      ['postgres://x@127.0.0.1:1/none', /cannot reach PostgreSQL at 127\.0\.0\.1:1/],
      ['/etc/hostname', /not an SQLite database/],
      ['ftp://x', /unsupported database scheme "ftp:"/],
    ] as const) {
      const run = await opsdeck(['status', '--db', db]);
      assert.equal(run.code, 1, db);
      assert.match(oneLine(run.stderr), pattern);
      assert.match(run.stderr, /^opsdeck: /);
      assert.equal(run.stdout, '');
    }
  });

  it('health-check CHECK runs one component, the runbooks\' database being the store and api_endpoints the HTTP runner; one opsdeck has not says what to run instead; an unknown one is named', async () => {
    const db = join(dir, 'components.db');
    assert.equal((await opsdeck(['migrate', '--db', db])).code, 0);
    const HealthJson = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string() })) });
    for (const check of ['store', 'database']) {
      const run = await opsdeck(['health-check', check, '--db', db, '--json']);
      assert.deepEqual(HealthJson.parse(json(run)).checks.map((c) => c.name), ['store'], check);
    }
    assert.deepEqual(HealthJson.parse(json(await opsdeck(['health-check', 'scheduler', '--db', db, '--json']))).checks.map((c) => c.name), ['scheduler']);
    assert.deepEqual(HealthJson.parse(json(await opsdeck(['health-check', 'api_endpoints', '--db', db, '--json']))).checks.map((c) => c.name), ['runner:http'], "a pipeline runbook's api_endpoints");
    for (const [word, says] of [['models', /opsdeck calls no models: .*health-check runner probes/], ['cache', /opsdeck keeps no cache: .*health-check store/], ['redis', /opsdeck uses no Redis/], ['pool', /connection pools are checked with the store: opsdeck health-check store names each live worker whose pool was exhausted/], ['connection-pool', /opsdeck health-check store/]] as const) {
      const none = await opsdeck(['health-check', word, '--db', db]);
      assert.equal(none.code, 2, word);
      assert.match(none.stderr, says, word);
    }
    const unknown = await opsdeck(['health-check', 'nosuch', '--db', db]);
    assert.equal(unknown.code, 2, 'a mistyped check is no outage');
    assert.match(unknown.stderr, /no health check named nosuch \(known: store, migrations, registry/);
    const noWorker = await opsdeck(['health-check', 'worker:WATCHDOG', '--db', db]);
    assert.equal(noWorker.code, 2);
    assert.match(noWorker.stderr, /no worker WATCHDOG \(there is none here now; worker alone checks every one\)/);
  });

  it('a mistyped store path is refused by commands that read or control a store, and nothing is created', async () => {
    const missing = join(dir, 'no-such-dir', 'typo.db');
    for (const args of [['status'], ['dlq', 'groups'], ['emergency-stop'], ['health-check'], ['diagnose']]) {
      const run = await opsdeck([...args, '--db', missing]);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stdout + run.stderr, /there is no opsdeck store at \S+typo\.db: the file does not exist/, args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'no-such-dir')), false, 'not even its folder');
  });

  it('usage errors exit 2 with one line', async () => {
    const db = join(dir, 'usage.db');
    assert.equal((await opsdeck(['migrate', '--db', db])).code, 0);
    // An empty --search is what an unset shell variable gives ("$P"): it must not stand for every dead letter.
    const bulk = [['dlq', 'retry'], ['dlq', 'resolve', '--search', '', '--note', 'x'], ['dlq', 'retry', '--all', '--service', 'billing']];
    for (const args of [['enqueue'], ['enqueue', 'x', '--payload', '{nope'], ...bulk]) {
      const run = await opsdeck([...args, '--db', db]);
      assert.equal(run.code, 2, args.join(' '));
      oneLine(run.stderr);
    }
    // A payload every runner reads by key is an object: anything else is named for what it is.
    const number = await opsdeck(['enqueue', 'x', '--payload', '42', '--db', db]);
    assert.deepEqual([number.code, oneLine(number.stderr)], [2, 'opsdeck: --payload must be a JSON object, such as {"date": "2026-12-04"}, not a number; see opsdeck enqueue --help']);
  });

  it('dead-letter triage, breakers and control from the command line, all audited', async () => {
    const db = join(dir, 'triage.db');
    const registry = join(dir, 'triage.yaml');
    await writeFile(registry, 'services:\n  - name: broken\n    execution_type: noop\n    runner_config: { fail: true, fail_retryable: false, fail_message: "upstream said no" }\n');
    const common = ['--db', db, '--registry', registry];
    json(await opsdeck(['enqueue', 'broken', ...common, '--json']));
    json(await opsdeck(['enqueue', 'broken', ...common, '--json']));
    const unknown = await opsdeck(['enqueue', 'other', ...common]);
    assert.equal(unknown.code, 1);
    assert.equal(oneLine(unknown.stderr), 'opsdeck: service other is not in the registry (known: broken)');

    const work = await opsdeck(['worker', '--until-empty', ...common]);
    assert.equal(work.code, 0, work.stderr);
    const groups = z.object({ total: z.number(), groups: z.array(z.object({ fingerprint: z.string(), count: z.number() })) }).parse(json(await opsdeck(['dlq', 'groups', ...common, '--json'])));
    assert.equal(groups.total, 2);
    const fp = groups.groups[0]?.fingerprint ?? '';
    // As the runbook prints a failure pattern: when it began, beside when it was last seen.
    assert.match((await opsdeck(['dlq', 'groups', ...common])).stdout, /^FINGERPRINT +COUNT +CLASS +SERVICES +FIRST SEEN +LAST SEEN +SAMPLE ERROR$/m);
    const Bulk = z.object({ dry_run: z.boolean(), matched: z.number(), affected: z.number() });
    assert.deepEqual(Bulk.parse(json(await opsdeck(['dlq', 'retry', '--fingerprint', fp, '--dry-run', ...common, '--json']))), { dry_run: true, matched: 2, affected: 0 });
    const mistyped = await opsdeck(['dlq', 'retry', '--fingerprint', 'deadbeef', ...common]);
    assert.equal(mistyped.code, 1, 'a fingerprint that matches nothing is no success');
    assert.equal(oneLine(mistyped.stderr), 'opsdeck: no open dead letter matches --fingerprint deadbeef (opsdeck dlq groups lists them); nothing retried');
    assert.equal((await opsdeck(['pause', 'default', '--reason', 'upstream migration', ...common])).code, 0);
    assert.equal((await opsdeck(['pause', 'reports', '--force', '--reason', 'not theirs', ...common])).code, 0);
    const retried = await opsdeck(['dlq', 'retry', '--fingerprint', fp, ...common]);
    assert.equal(retried.code, 0);
    assert.match(retried.stdout, /^retried 2 dead letters\njobs \d+, \d+\nthey wait while queue default is paused by \S+: upstream migration \(opsdeck unpause default\)\nno live worker runs them: broken \(queue default\): no worker is running \(start one: opsdeck worker\)\n$/);
    assert.equal((await opsdeck(['unpause', 'default', ...common])).code, 0);

    assert.equal((await opsdeck(['breaker', 'open', 'broken', '--reason', 'maintenance', ...common])).code, 0);
    assert.equal((await opsdeck(['emergency-stop', '--reason', 'drill', ...common])).code, 0);
    const stopped = Status.parse(json(await opsdeck(['status', ...common, '--json'])));
    assert.equal(stopped.control.emergency_stop.engaged, true);
    assert.equal((await opsdeck(['resume', ...common])).code, 0);
    const audit = z.object({ entries: z.array(z.object({ action: z.string(), actor: z.string() })) }).parse(json(await opsdeck(['audit', ...common, '--json'])));
    const actions = audit.entries.map((e) => e.action);
    for (const a of ['dlq.retry', 'breaker.force_open', 'job.enqueue']) assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
    assert.ok(actions.some((a) => a.includes('emergency')), actions.join(', '));
  });

  it('errors groups the recent failed attempts, retrying ones too, the runbook\'s "check recent API errors"', async () => {
    const db = join(dir, 'errors.db');
    const registry = join(dir, 'errors.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: flaky',
        '    execution_type: noop',
        '    retry_config: { max_retries: 2, initial_backoff: 3600, max_backoff: 3600 }',
        '    runner_config: { fail: true, fail_retryable: true, fail_message: "upstream answered 503" }',
        '  - name: broken',
        '    execution_type: noop',
        '    runner_config: { fail: true, fail_retryable: false, fail_message: "invalid payload" }',
        '',
      ].join('\n'),
    );
    const common = ['--db', db, '--registry', registry];
    for (const service of ['flaky', 'flaky', 'broken']) json(await opsdeck(['enqueue', service, ...common, '--json']));
    assert.equal((await opsdeck(['worker', '--until-empty', ...common])).code, 0);

    const Groups = z.object({ total: z.number(), groups: z.array(z.object({ service_name: z.string(), error_class: z.string(), failures: z.number(), dead_lettered: z.number(), sample_error: z.string() })) });
    const all = Groups.parse(json(await opsdeck(['errors', ...common, '--json'])));
    assert.equal(all.total, 3);
    const flaky = all.groups.find((g) => g.service_name === 'flaky');
    assert.deepEqual([flaky?.failures, flaky?.dead_lettered, flaky?.error_class, flaky?.sample_error], [2, 0, 'noop', 'upstream answered 503'], 'both retry');
    const text = await opsdeck(['errors', '--since', '15m', '--service', 'broken', ...common]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /broken\s+noop/);
    assert.doesNotMatch(text.stdout, /flaky/);
    assert.match(text.stdout, /1 failed attempt\(s\) since/);
    const mistyped = await opsdeck(['errors', '--service', 'flakey', ...common]);
    assert.equal(mistyped.code, 0);
    assert.match(mistyped.stdout, /^no failed attempts since /);
    assert.equal(oneLine(mistyped.stderr), 'opsdeck: no service named flakey (did you mean flaky?): neither the registry nor any job, breaker or worker names it; known: broken, flaky');
    const noSuchClass = await opsdeck(['jobs', '--class', 'timeoutt', ...common]);
    assert.equal(noSuchClass.stdout.trim(), 'no jobs match');
    assert.equal(oneLine(noSuchClass.stderr), 'opsdeck: timeoutt is no failure class opsdeck writes (did you mean timeout?); opsdeck jobs --help lists them');
    assert.equal((await opsdeck(['jobs', '--class', 'http_418', ...common])).stderr, '', 'an exact status is a class opsdeck writes');
    const strategy = await opsdeck(['services', 'flaky', ...common]);
    assert.equal(strategy.code, 0, strategy.stderr);
    assert.match(strategy.stdout, /^flaky +noop +default +300s +- +2 retries, each after a random wait up to 3600s$/m, 'the retry strategy in force');
    const noRegistry = await opsdeck(['services', '--db', db]);
    assert.equal(noRegistry.code, 2);
    assert.equal(oneLine(noRegistry.stderr), 'opsdeck: no registry loaded: pass --registry FILE (or set OPSDECK_REGISTRY); see opsdeck services --help');
    const wrong = await opsdeck(['errors', '--since', 'yesterday', ...common]);
    assert.equal(wrong.code, 2);
    assert.match(oneLine(wrong.stderr), /--since takes a duration from 1m to 24h/);
  });

  it('performance: per execution type and in total, jobs a real worker finished, from the rollups; an empty window says so', async () => {
    const db = join(dir, 'performance.db');
    const registry = join(dir, 'performance.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: quick',
        '    execution_type: noop',
        '  - name: flaky',
        '    execution_type: noop',
        '    retry_config: { max_retries: 1, initial_backoff: 0.01, max_backoff: 0.01 }',
        '    runner_config: { fail: true, fail_retryable: true, fail_message: "upstream answered 503" }',
        '  - name: nap',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/sleep", "0.2"] }',
        '    security_policy: { allowed_commands: ["/bin/sleep"] }',
        '',
      ].join('\n'),
    );
    const common = ['--db', db, '--registry', registry];
    assert.equal((await opsdeck(['migrate', '--db', db])).code, 0);
    const empty = await opsdeck(['performance', ...common]);
    assert.equal(empty.code, 0, empty.stderr);
    const moment = (seconds: string) => `\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:${seconds}(Z|[+-]\\d\\d:\\d\\d)`;
    assert.match(empty.stdout, new RegExp(`^no jobs finished in the last 1h, read from ${moment('00')} to ${moment('\\d\\d')}\n$`), 'the window read, from its whole minute');

    for (const service of ['quick', 'quick', 'quick', 'flaky', 'nap', 'nap']) json(await opsdeck(['enqueue', service, ...common, '--json']));
    assert.equal((await opsdeck(['worker', '--until-empty', ...common])).code, 0);

    const Figures = z.object({ completed: z.number(), failed: z.number(), retried: z.number(), success_rate: z.number().nullable(), p50_ms: z.number().nullable(), p99_ms: z.number().nullable(), per_minute: z.number() });
    const Performance = z.object({ since: z.string(), types: z.array(Figures.extend({ execution_type: z.string() })), total: Figures });
    const all = Performance.parse(json(await opsdeck(['performance', ...common, '--json'])));
    const row = (type: string) => all.types.find((t) => t.execution_type === type);
    assert.deepEqual(all.types.map((t) => t.execution_type), ['shell', 'noop']);
    assert.deepEqual([row('noop')?.completed, row('noop')?.failed, row('noop')?.retried, row('noop')?.success_rate], [3, 1, 1, 0.75], 'flaky retried once, then went to the dead-letter queue');
    assert.deepEqual([all.total.completed, all.total.failed, all.total.retried], [5, 1, 1]);
    // Each nap slept 200 ms: its bucket's lower edge is within a bucket (19%) of that.
    const napP50 = row('shell')?.p50_ms ?? 0;
    assert.ok(napP50 >= 200 / 2 ** 0.25 && napP50 < 5000, `shell p50 ${napP50} ms`);
    assert.ok((all.total.p99_ms ?? 0) >= napP50, 'the total ranks every type\'s jobs together');

    const text = await opsdeck(['performance', ...common]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^TYPE +COMPLETED +DEAD-LETTERED +RETRIES +SUCCESS +P50 +P95 +P99 +JOBS\/MIN$/m);
    assert.match(text.stdout, /^shell +2 +0 +0 +100\.0% +\d+ ms +\d+ ms +\d+ ms +0\.\d\d$/m);
    assert.match(text.stdout, /^noop +3 +1 +1 +75\.0% /m);
    assert.match(text.stdout, /^total +5 +1 +1 +83\.3% /m);
    assert.match(text.stdout, new RegExp(`\njobs finished in the last 1h, read from ${moment('00')} to ${moment('\\d\\d')}\n`));
    assert.match(text.stdout, /^percentiles \(p50, p95, p99\) are durations of completed jobs only \(failed attempts keep none\), to within about 19%$/m);
    assert.match(text.stdout, /^retries are failed attempts that were tried again, not jobs: a job retried twice counts twice; /m);

    const one = Performance.parse(json(await opsdeck(['execution-performance', '--since', '15m', '--type', 'shell', ...common, '--json'])));
    assert.deepEqual([one.types.map((t) => t.execution_type), one.total.completed], [['shell'], 2], 'the runbook\'s word, one type');
    const alone = await opsdeck(['performance', '--type', 'shell', '--db', db]);
    assert.doesNotMatch(alone.stdout, /^total/m, 'one type needs no total row');
    const none = await opsdeck(['performance', '--since', '15m', '--type', 'docker', ...common]);
    assert.match(none.stdout, /^no docker jobs finished in the last 15m, read from /);
    const month = await opsdeck(['performance', '--since', '30d', ...common]);
    assert.equal(month.code, 0, month.stderr);
    assert.match(month.stdout, /^noop +3 +1 +1 +75\.0% /m, 'as far back as the history is kept');
    assert.match(month.stdout, /jobs finished in the last 30d, read from /);
    for (const [option, value] of [['--since', 'soon'], ['--type', 'ftp']] as const) {
      const refused = await opsdeck(['performance', option, value, ...common]);
      assert.equal(refused.code, 2, `${option} ${value}`);
      assert.match(oneLine(refused.stderr), new RegExp(`^opsdeck: ${option} takes `));
    }
    const past = await opsdeck(['performance', '--since', '31d', ...common]);
    assert.equal(past.code, 2);
    assert.equal(oneLine(past.stderr), "opsdeck: --since: a window of 31d reaches past the per-minute history, kept 30d (the registry's retention.history): at most 30d");
    await writeFile(registry, `${await readFile(registry, 'utf8')}retention:\n  history: 7d\n`);
    const shorter = await opsdeck(['performance', '--since', '8d', ...common]);
    assert.equal(shorter.code, 2);
    assert.match(oneLine(shorter.stderr), /kept 7d \(the registry's retention\.history\): at most 7d$/);
    await writeFile(registry, `${await readFile(registry, 'utf8')}  enabled: false\n`);
    const unpruned = await opsdeck(['performance', '--since', '60d', ...common]);
    assert.equal(unpruned.code, 0, `with retention off nothing is pruned, so any window reads: ${unpruned.stderr}`);
  });

  it('worker drains on SIGTERM: the running job finishes, then it exits 0', async () => {
    const db = join(dir, 'worker.db');
    const registry = join(dir, 'nap.yaml');
    await writeFile(
      registry,
      'services:\n  - name: nap\n    execution_type: shell\n    runner_config: { command: ["/bin/sleep", "1"] }\n    security_policy: { allowed_commands: ["/bin/sleep"] }\n',
    );
    const common = ['--db', db, '--registry', registry];
    json(await opsdeck(['enqueue', 'nap', ...common, '--json']));
    const child = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (/running 1/.test(stdout)) resolve();
      });
      child.on('close', () => reject(new Error(`worker ended early: ${stdout}`)));
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stdout);
    assert.match(stdout, /SIGTERM: draining/);
    assert.match(stdout.trim().split('\n').at(-1) ?? '', /running 0 {2}completed 1 /);
  });

  it('safe-mode on --drain waits for running jobs, then stops what still runs with the emergency stop', async () => {
    const db = join(dir, 'drain.db');
    const registry = join(dir, 'drain.yaml');
    // `short` runs until the test lets it finish, so it is certainly running when the drain starts and
    // certainly finishes while the drain waits, however slowly each CLI call answers.
    const release = join(dir, 'drain.release');
    await writeFile(
      registry,
      `services:\n  - name: short\n    execution_type: shell\n    runner_config: { command: ["/bin/sh", "-c", "while [ ! -e ${release} ]; do sleep 0.05; done"] }\n    security_policy: { allowed_commands: ["/bin/sh"] }\n` +
        '  - name: long\n    execution_type: shell\n    runner_config: { command: ["/bin/sleep", "60"] }\n    security_policy: { allowed_commands: ["/bin/sleep"] }\n',
    );
    const common = ['--db', db, '--registry', registry];
    const running = async (service: string) => {
      for (let i = 0; i < 100; i++) {
        const rows = z.object({ jobs: z.array(z.object({ status: z.string() })) }).parse(json(await opsdeck(['jobs', '--service', service, '--json', ...common]))).jobs;
        if (rows[0]?.status === 'running') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${service} never ran`);
    };
    const SafeMode = z.object({ control: z.object({ safe_mode: z.object({ engaged: z.boolean() }) }) });
    const safeModeEngaged = async () => {
      for (let i = 0; i < 100; i++) {
        if (SafeMode.parse(json(await opsdeck(['status', '--json', ...common]))).control.safe_mode.engaged) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('safe mode never engaged');
    };
    json(await opsdeck(['enqueue', 'short', ...common, '--json']));
    const worker = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    try {
      await running('short');
      const waiting = opsdeck(['safe-mode', 'on', '--drain', '30', '--reason', 'deploy', ...common]);
      await safeModeEngaged();
      await writeFile(release, '');
      const drained = await waiting;
      assert.equal(drained.code, 0, drained.stderr);
      assert.match(drained.stdout, /^drained: no job runs; safe mode stays on/m);
      assert.equal(Status.parse(json(await opsdeck(['status', '--json', ...common]))).counts.completed, 1, 'the running job was let finish');

      assert.equal((await opsdeck(['safe-mode', 'off', ...common])).code, 0);
      json(await opsdeck(['enqueue', 'long', ...common, '--json']));
      await running('long');
      const forced = await opsdeck(['safe-mode', 'on', '--drain', '1', ...common]);
      assert.equal(forced.code, 0, forced.stderr);
      // The worker or this command, whichever sees the deadline pass first, engages the stop; either says so.
      assert.match(forced.stdout, /^safe-mode drain: 1 job\(s\) still running after 1s: emergency stop engaged(: 1 running job\(s\) asked to stop, back to pending with their attempt not spent| by \S+; release it with: opsdeck resume)/m);
      const status = Status.parse(json(await opsdeck(['status', '--json', ...common])));
      assert.equal(status.control.emergency_stop.engaged, true);
      const audit = (await opsdeck(['audit', ...common])).stdout;
      assert.match(audit, /safe-mode drain: 1 job\(s\) still running after 1s/, 'the forced stop is audited with why');
      assert.equal((await opsdeck(['safe-mode', 'off', '--drain', '5', ...common])).code, 2);

      // Another operator turns safe mode off during a drain: nothing is stopped.
      assert.equal((await opsdeck(['resume', ...common])).code, 0);
      assert.equal((await opsdeck(['safe-mode', 'off', ...common])).code, 0);
      await running('long');
      const draining = opsdeck(['safe-mode', 'on', '--drain', '60', ...common]);
      await safeModeEngaged();
      assert.equal((await opsdeck(['safe-mode', 'off', ...common])).code, 0);
      const overruled = await draining;
      assert.equal(overruled.code, 0, overruled.stderr);
      assert.match(overruled.stdout, /^safe mode was turned off while draining: dispatch goes on, nothing was stopped/m);
      assert.equal(Status.parse(json(await opsdeck(['status', '--json', ...common]))).control.emergency_stop.engaged, false);
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
  });

  it('validate-config lists every problem with its line and exits 1; a good file exits 0', async () => {
    const file = join(FIXTURES, 'many_problems.yaml');
    const bad = await opsdeck(['validate-config', file]);
    assert.equal(bad.code, 1);
    const lines = bad.stdout.trim().split('\n');
    assert.ok(lines.length >= 5);
    for (const line of lines) assert.match(line, /^.+many_problems\.yaml:\d+:\d+ \S+: .+/);
    assert.ok(lines.some((l) => l.includes(':19:5 services[1].retries: unknown key')), lines.join('\n'));
    const good = await opsdeck(['validate-config', fileURLToPath(new URL('../../examples/registry.yaml', import.meta.url))]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
  });

  it('a registry that does not load stops what needs it, not the emergency stop nor triage', async () => {
    const db = join(dir, 'broken-registry.db');
    assert.equal((await opsdeck(['migrate', '--db', db])).code, 0);
    const common = ['--db', db, '--registry', join(FIXTURES, 'many_problems.yaml')];
    const stop = await opsdeck(['emergency-stop', '--reason', 'config corrupted', ...common]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, /^opsdeck: warning: the registry \S+many_problems\.yaml has \d+ problem\(s\) \(first: .+\); going on without it, which this command does not need; see opsdeck validate-config \S+$/m);
    const status = await opsdeck(['status', '--json', ...common]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(z.object({ control: z.object({ emergency_stop: z.object({ engaged: z.boolean() }) }) }).parse(JSON.parse(status.stdout)).control.emergency_stop.engaged, true);
    for (const args of [['dlq', 'groups'], ['audit'], ['safe-mode', 'on'], ['jobs'], ['workers'], ['api-key', 'list']]) {
      const run = await opsdeck([...args, ...common]);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    }
    const enqueue = await opsdeck(['enqueue', 'anything', ...common]);
    assert.equal(enqueue.code, 1, 'a job enqueued now would take its queue and attempts from nothing');
    assert.match(enqueue.stderr, /has \d+ problem\(s\)/);
    assert.equal((await opsdeck(['prune', '--dry-run', ...common])).code, 1, 'retention comes from the registry');

    const many = join(dir, 'sixty-problems.yaml');
    await writeFile(many, `services:\n${Array.from({ length: 60 }, (_, i) => `  - { name: s${i}, execution_type: noop, bogus: 1 }\n`).join('')}`);
    const counted = await opsdeck(['status', '--db', db, '--registry', many]);
    assert.match(counted.stderr, /has 60 problem\(s\)/, 'every problem counted, though only fifty are listed');
  });

  it('a support bundle holds the diagnosis and no secret value', async () => {
    const db = join(dir, 'bundle.db');
    const registry = join(dir, 'bundle.yaml');
    const secret = 'sk_live_7a9f3c1e5d2b8h4k';
    const other = 'p4ss-w0rd-for-the-db!';
    await writeFile(
      registry,
      [
        'services:',
        '  - name: payments',
        '    execution_type: http',
        '    runner_config:',
        '      base_url: "http://127.0.0.1:1"',
        '      auth_type: bearer',
        '      auth_config: { token_env_var: STRIPE_API_KEY }',
        '      headers: { X-Api-Key: "inline-header-secret-123" }',
        '  - name: leaky',
        '    execution_type: noop',
        `    runner_config: { fail: true, fail_retryable: false, fail_message: "auth failed for ${secret} and ${other}" }`,
        '',
      ].join('\n'),
    );
    const env = { STRIPE_API_KEY: secret, DB_PASSWORD: other };
    const common = ['--db', db, '--registry', registry];
    json(await opsdeck(['enqueue', 'leaky', ...common, '--json', '--payload', JSON.stringify({ token: secret })], { env }));
    assert.equal((await opsdeck(['worker', '--until-empty', ...common], { env })).code, 0);
    const out = join(dir, 'bundle.tar.gz');
    const run = await opsdeck(['support-bundle', '--output', out, ...common], { env });
    assert.equal(run.code, 0, run.stderr);
    const extracted = join(dir, 'bundle');
    await rm(extracted, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(extracted));
    await tar.x({ file: out, cwd: extracted });
    const files = await readdir(extracted);
    for (const name of ['diagnose.json', 'registry.yaml', 'failures.json', 'audit.json']) assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);
    const texts = await Promise.all(files.map((f) => readFile(join(extracted, f), 'utf8')));
    const all = texts.join('\n');
    for (const value of [secret, other, 'inline-header-secret-123']) assert.ok(!all.includes(value), `the bundle leaks ${value}`);
    assert.match(all, /auth failed for \[redacted\]/);
    assert.match(all, /STRIPE_API_KEY/);
    z.object({ health: z.object({ checks: z.array(z.object({ name: z.string() })) }), versions: z.object({ node: z.string() }) }).parse(JSON.parse(texts[files.indexOf('diagnose.json')] ?? ''));
  });
});

describe('opsdeck CLI on PostgreSQL', () => {
  let pg: TestDatabase;
  before(async () => {
    pg = await createTestDatabase();
  });
  after(async () => {
    await pg.drop();
  });

  it('enqueue then status shows one pending job', async () => {
    json(await opsdeck(['enqueue', 'demo', '--db', pg.url, '--json']));
    const status = Status.parse(json(await opsdeck(['status', '--db', pg.url, '--json'])));
    assert.deepEqual(status.counts, { pending: 1, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: 0, blocked: 0 });
  });

  it('a support bundle of a store that takes no writes (a standby) is still written, saying the audit log did not take it', async () => {
    const readOnly = await createTestDatabase();
    const out = await mkdtemp(join(tmpdir(), 'opsdeck-read-only-'));
    const client = new pgLib.Client({ connectionString: readOnly.url });
    try {
      assert.equal((await opsdeck(['migrate', '--db', readOnly.url])).code, 0);
      await client.connect();
      await client.query(`ALTER DATABASE ${new URL(readOnly.url).pathname.slice(1)} SET default_transaction_read_only = on`);
      const run = await opsdeck(['support-bundle', '--db', readOnly.url, '--output', join(out, 'bundle.tar.gz')]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(oneLine(run.stderr), /the bundle is written, but the audit log did not take it: .*read-only/);
      const names: string[] = [];
      await tar.t({ file: join(out, 'bundle.tar.gz'), onReadEntry: (entry) => names.push(entry.path) });
      assert.ok(names.includes('diagnose.json') && names.includes('failures.json'), names.join(', '));
    } finally {
      await client.end();
      await readOnly.drop();
      await rm(out, { recursive: true, force: true });
    }
  });

  it('diagnose names pending jobs set by hand, which no worker would dispatch, and the SQL that queues them', async () => {
    const { id } = z.object({ id: z.number() }).parse(json(await opsdeck(['enqueue', 'demo', '--db', pg.url, '--json'])));
    const client = new pgLib.Client({ connectionString: pg.url });
    await client.connect();
    try {
      await client.query(`UPDATE jobs.tb_job_run SET status = 'cancelled', completed_at = now() WHERE id = $1`, [id]);
      const clean = await opsdeck(['diagnose', '--db', pg.url]);
      assert.doesNotMatch(clean.stdout, /not in jobs\.tb_job_ready/, 'a cancel by hand leaves a stale ready row, which the claim skips');
      await client.query(`DELETE FROM jobs.tb_job_ready WHERE job_id = $1`, [id]);
      await client.query(`UPDATE jobs.tb_job_run SET status = 'pending', completed_at = NULL WHERE id = $1`, [id]);
      const drifted = await opsdeck(['diagnose', '--db', pg.url]);
      assert.match(drifted.stdout, /note: 1 pending job\(s\) are not in jobs\.tb_job_ready .*INSERT INTO jobs\.tb_job_ready/);
      const repair = /INSERT INTO jobs\.tb_job_ready .*$/m.exec(drifted.stdout)?.[0];
      assert.ok(repair);
      await client.query(repair);
      assert.doesNotMatch((await opsdeck(['diagnose', '--db', pg.url])).stdout, /not in jobs\.tb_job_ready/);
    } finally {
      await client.end();
    }
  });

  it('diagnose names running jobs set by hand, which no watchdog would take back, and the SQL that tracks them', async () => {
    const { id } = z.object({ id: z.number() }).parse(json(await opsdeck(['enqueue', 'demo', '--db', pg.url, '--json'])));
    const client = new pgLib.Client({ connectionString: pg.url });
    await client.connect();
    try {
      await client.query(`DELETE FROM jobs.tb_job_ready WHERE job_id = $1`, [id]);
      await client.query(
        `UPDATE jobs.tb_job_run SET status = 'running', lease_owner = 'by-hand', lease_expires_at = now(),
           attempt_id = nextval('jobs.tb_job_attempt_id_seq') WHERE id = $1`,
        [id],
      );
      const drifted = await opsdeck(['diagnose', '--db', pg.url]);
      assert.match(drifted.stdout, /note: 1 running job\(s\) are in no lease row of jobs\.tb_job_lease .*INSERT INTO jobs\.tb_job_lease/);
      const repair = /INSERT INTO jobs\.tb_job_lease .*$/m.exec(drifted.stdout)?.[0];
      assert.ok(repair);
      await client.query(repair);
      assert.doesNotMatch((await opsdeck(['diagnose', '--db', pg.url])).stdout, /no lease row/);
      await client.query(`UPDATE jobs.tb_job_run SET lease_expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      const store = await openStore(pg.url);
      try {
        assert.deepEqual((await store.reclaimExpired()).retried, [id], 'the tracked job is taken back like any other');
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  });

  it('health-check against an unreachable server exits 1 with a failing store check, also in --json', async () => {
    const run = await opsdeck(['health-check', '--db', 'postgres://ops:pw-not-shown@127.0.0.1:1/jobs', '--json']);
    assert.equal(run.code, 1);
    const report = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })) }).parse(JSON.parse(run.stdout));
    assert.equal(report.ok, false);
    // The store's failure first; the checks that need no store are made all the same, the others cannot tell.
    assert.equal(report.checks[0]?.name, 'store');
    assert.equal(report.checks[0]?.ok, false);
    assert.ok(report.checks.some((c) => c.name === 'registry' && c.ok));
    assert.ok(report.checks.filter((c) => !c.ok && c.name !== 'store').every((c) => c.detail.startsWith('cannot tell')));
    assert.ok(!run.stdout.includes('pw-not-shown'));
    const text = await opsdeck(['health-check', '--db', 'postgres://ops@127.0.0.1:1/jobs']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /store\s+FAIL\s+cannot reach PostgreSQL/);
  });

  it('diagnose against a store it cannot open shows where, never the password given in the URL or its query', async () => {
    const run = await opsdeck(['diagnose', '--db', 'postgres://ops:pw-in-userinfo@127.0.0.1:1/jobs?sslmode=disable&password=pw-in-query']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /store: postgres at postgres:\/\/ops:\S+@127\.0\.0\.1:1\/jobs\?sslmode=disable&password=\S+/);
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /pw-in-/);
  });
});
