import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Actor, ExecutionType } from '../../shared/domain.ts';
import { openPostgresStore } from './postgres/open.ts';
import type { JobError, NewJob, Store } from './store.ts';
import { createTestDatabase } from './testing/pgTestDb.ts';
import type { TestDatabase } from './testing/pgTestDb.ts';

/**
 * Operators' runbooks query the database directly. The SQL below is pasted verbatim from them
 * (shared/seeds/000: the multi-execution troubleshooting guide; 001: the dead-letter queue section)
 * and must keep running against opsdeck's schema and return what an operator expects.
 */

// ---- runbook 000, verbatim ---------------------------------------------------------------------------
const PENDING_JOBS = `-- Check pending jobs
SELECT
    identifier,
    service_name,
    execution_type,
    created_at,
    error_message
FROM jobs.tb_job_run
WHERE status = 'pending'
ORDER BY created_at DESC
LIMIT 10;`;

const RECENT_FAILURES = `-- Check recent failures
SELECT
    identifier,
    service_name,
    execution_type,
    error_message,
    created_at,
    updated_at
FROM jobs.tb_job_run
WHERE status = 'failed'
    AND created_at > now() - interval '1 hour'
ORDER BY created_at DESC;`;

const RESOURCE_USAGE = `-- Check resource usage
SELECT
    identifier,
    resource_usage
FROM jobs.tb_job_run
WHERE status = 'failed'
    AND error_message LIKE '%resource%'
ORDER BY created_at DESC;`;

const VIEWS_EXIST = `-- Check if views exist
SELECT table_name
FROM information_schema.views
WHERE table_name LIKE 'v_execution_%';`;

const DATA_VOLUME = `-- Check data volume
SELECT count(*) FROM jobs.tb_job_run;`;

const INDEX_USAGE = `-- Check index usage
EXPLAIN ANALYZE
SELECT * FROM jobs.v_execution_performance_by_type
WHERE execution_type = 'http';`;

const TABLE_STATISTICS = `-- Check table statistics
ANALYZE jobs.tb_job_run;`;

const REBUILD_INDEXES = `REINDEX INDEX jobs.idx_tb_job_run_execution_type;`;

const UPDATE_STATISTICS = `VACUUM ANALYZE jobs.tb_job_run;`;

const ALLOWLIST_VIOLATIONS = `-- Check security violations
SELECT
    identifier,
    service_name,
    error_message
FROM jobs.tb_job_run
WHERE error_message LIKE '%not allowed%'
ORDER BY created_at DESC;`;

const RECREATE_VIEWS = `-- Recreate views if needed
DROP VIEW IF EXISTS jobs.v_execution_performance_by_type;
-- Rerun schema generation`;

const TRACE_JOB = `-- Trace complete job lifecycle
SELECT
    id,
    identifier,
    status,
    execution_type,
    created_at,
    started_at,
    completed_at,
    error_message,
    resource_usage,
    security_context
FROM jobs.tb_job_run
WHERE identifier = 'job-identifier'
ORDER BY created_at;`;

// ---- runbook 001 (dead-letter queue), verbatim, run with search_path set to jobs ---------------------
const DLQ_CONTENTS = `SELECT id, task_id, failure_reason, created_at FROM dead_letter_queue ORDER BY created_at DESC LIMIT 10`;
const DLQ_BY_REASON = `SELECT failure_reason, COUNT(*) FROM dead_letter_queue GROUP BY failure_reason ORDER BY COUNT(*) DESC`;

const alice: Actor = { user: 'alice', host: 'laptop' };
const LEASE = 60_000;

async function runAndSettle(
  store: Store,
  spec: NewJob & { identifier: string },
  outcome: { kind: 'completed'; usage?: Record<string, number> } | { kind: 'failed'; message: string; usage?: Record<string, number> },
): Promise<number> {
  await store.enqueue([{ ...spec, queue: spec.identifier }]);
  const [claimed] = await store.claim({ workerId: 'runbook-worker', limit: 1, leaseMs: LEASE, queues: [spec.identifier] });
  assert.ok(claimed, `claimed ${spec.identifier}`);
  const base = { jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'runbook-worker', resource_usage: outcome.usage ?? null };
  if (outcome.kind === 'completed') {
    await store.settle([{ ...base, kind: 'completed', security_context: { allowlist: 'allowed', user: 'opsdeck' } }]);
  } else {
    const error: JobError = { message: outcome.message, error_class: 'ConfigError', fingerprint: `fp:${outcome.message.slice(0, 20)}` };
    await store.settle([{ ...base, kind: 'failed', error, outcome: 'failed' }]);
  }
  return claimed.id;
}

function spec(identifier: string, service: string, type: ExecutionType): NewJob & { identifier: string } {
  return { identifier, queue: 'default', service_name: service, execution_type: type, max_attempts: 1 };
}

describe('runbook SQL runs verbatim against the PostgreSQL schema', () => {
  let db: TestDatabase;
  let store: Store;
  let client: pg.Client;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openPostgresStore(db.url, { poolSize: 2 });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();

    await store.enqueue([
      { ...spec('pending-1', 'nightly_report', 'shell'), queue: 'reports' },
      { ...spec('pending-2', 'stripe_sync', 'http'), queue: 'default' },
      { ...spec('pending-3', 'nightly_report', 'shell'), queue: 'reports', run_at: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    for (let i = 0; i < 10; i++) await runAndSettle(store, spec(`http-ok-${i}`, 'stripe_sync', 'http'), { kind: 'completed', usage: { duration_ms: 100 } });
    await runAndSettle(store, spec('http-bad-config', 'stripe_sync', 'http'), { kind: 'failed', message: "HTTP runner requires 'base_url' in config" });
    await runAndSettle(store, spec('shell-rm', 'cleanup', 'shell'), { kind: 'failed', message: "Command '/usr/bin/rm' is not allowed" });
    await runAndSettle(store, spec('docker-image', 'builder', 'docker'), { kind: 'failed', message: "Image 'evil:latest' is not allowed" });
    await runAndSettle(store, spec('shell-cpu', 'nightly_report', 'shell'), {
      kind: 'failed',
      message: 'resource limit exceeded: cpu_seconds 300 used, 120 allowed',
      usage: { duration_ms: 120_000, cpu_ms: 300_000, peak_memory_kb: 524_288 },
    });
    const oldId = await runAndSettle(store, spec('shell-old', 'cleanup', 'shell'), { kind: 'failed', message: "Command '/usr/bin/rm' is not allowed" });
    await runAndSettle(store, spec('job-identifier', 'smoke', 'noop'), { kind: 'completed', usage: { duration_ms: 5, exit_code: 0 } });

    // Durations and ages an operator would see in production: http completions took 100..1000 ms,
    // and one failure is two hours old (outside "recent").
    await client.query(`UPDATE jobs.tb_job_run SET started_at = completed_at - (substring(identifier from 9)::int + 1) * interval '100 milliseconds'
      WHERE identifier LIKE 'http-ok-%'`);
    await client.query(`UPDATE jobs.tb_job_run SET created_at = now() - interval '2 hours', completed_at = now() - interval '2 hours' WHERE id = $1`, [oldId]);
    await store.dlqResolve({ job_ids: [oldId] }, 'allowlisted after review', alice);
  });

  after(async () => {
    await client?.end();
    await store?.close();
    await db?.drop();
  });

  it('pending jobs', async () => {
    const { rows, fields } = await client.query(PENDING_JOBS);
    assert.deepEqual(fields.map((f) => f.name), ['identifier', 'service_name', 'execution_type', 'created_at', 'error_message']);
    assert.deepEqual(rows.map((r) => r.identifier).sort(), ['pending-1', 'pending-2', 'pending-3']);
    assert.ok(rows.every((r) => r.error_message === null));
  });

  it('recent failures', async () => {
    const { rows, fields } = await client.query(RECENT_FAILURES);
    assert.deepEqual(fields.map((f) => f.name), ['identifier', 'service_name', 'execution_type', 'error_message', 'created_at', 'updated_at']);
    assert.deepEqual(rows.map((r) => r.identifier).sort(), ['docker-image', 'http-bad-config', 'shell-cpu', 'shell-rm']);
    assert.equal(rows.find((r) => r.identifier === 'http-bad-config')?.error_message, "HTTP runner requires 'base_url' in config");
  });

  it('resource usage of resource failures', async () => {
    const { rows } = await client.query(RESOURCE_USAGE);
    assert.deepEqual(rows, [{ identifier: 'shell-cpu', resource_usage: { duration_ms: 120_000, cpu_ms: 300_000, peak_memory_kb: 524_288 } }]);
  });

  it('allowlist violations', async () => {
    const { rows } = await client.query(ALLOWLIST_VIOLATIONS);
    assert.deepEqual(
      rows.map((r) => [r.identifier, r.service_name]),
      [['docker-image', 'builder'], ['shell-rm', 'cleanup'], ['shell-old', 'cleanup']],
    );
  });

  it('tracing one job by identifier', async () => {
    const { rows } = await client.query(TRACE_JOB);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row.identifier, 'job-identifier');
    assert.equal(row.status, 'completed');
    assert.equal(row.execution_type, 'noop');
    assert.ok(row.started_at instanceof Date && row.completed_at instanceof Date);
    assert.deepEqual(row.resource_usage, { duration_ms: 5, exit_code: 0 });
    assert.deepEqual(row.security_context, { allowlist: 'allowed', user: 'opsdeck' });
  });

  it('the observability views exist and hold data', async () => {
    const views = await client.query(VIEWS_EXIST);
    assert.deepEqual(views.rows, [{ table_name: 'v_execution_performance_by_type' }]);
    const volume = await client.query(DATA_VOLUME);
    assert.deepEqual(volume.rows, [{ count: '19' }]);
  });

  it('the performance view: per type totals, success rate, average and p95 duration', async () => {
    const { rows } = await client.query(`SELECT * FROM jobs.v_execution_performance_by_type WHERE execution_type = 'http'`);
    assert.equal(rows.length, 1);
    const [http] = rows;
    assert.equal(Number(http.total), 12);
    assert.equal(Number(http.completed), 10);
    assert.equal(Number(http.failed), 1);
    assert.equal(Number(http.success_rate), 0.9091);
    assert.equal(Math.round(Number(http.avg_duration_ms)), 550);
    assert.equal(Math.round(Number(http.p95_duration_ms)), 955);
  });

  it('EXPLAIN ANALYZE on the view', async () => {
    const { rows } = await client.query(INDEX_USAGE);
    const plan = rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    assert.match(plan, /tb_job_run/);
    assert.match(plan, /Execution Time/);
  });

  it('maintenance: ANALYZE, REINDEX, VACUUM ANALYZE', async () => {
    await client.query(TABLE_STATISTICS);
    await client.query(REBUILD_INDEXES);
    await client.query(UPDATE_STATISTICS);
    const { rows } = await client.query(`SELECT last_analyze IS NOT NULL AS analyzed, last_vacuum IS NOT NULL AS vacuumed
      FROM pg_stat_user_tables WHERE schemaname = 'jobs' AND relname = 'tb_job_run'`);
    assert.deepEqual(rows, [{ analyzed: true, vacuumed: true }]);
  });

  it('recreating the views: drop as the runbook says, then migrating again brings them back', async () => {
    await client.query(RECREATE_VIEWS);
    assert.deepEqual((await client.query(VIEWS_EXIST)).rows, []);
    await (await openPostgresStore(db.url, { poolSize: 1 })).close();
    assert.deepEqual((await client.query(VIEWS_EXIST)).rows, [{ table_name: 'v_execution_performance_by_type' }]);
    const { rows } = await client.query(`SELECT total FROM jobs.v_execution_performance_by_type WHERE execution_type = 'http'`);
    assert.deepEqual(rows, [{ total: '12' }]);
  });

  it('dead-letter queue: runbook 001 as psql runs it, unqualified, on a fresh session with no SET', async () => {
    const fresh = new pg.Client({ connectionString: db.url });
    await fresh.connect();
    try {
      const path = await fresh.query('SHOW search_path');
      assert.equal(path.rows[0]?.search_path, '"$user", public, jobs', 'jobs comes last: what resolved before still does');
      const contents = await fresh.query(DLQ_CONTENTS);
      assert.deepEqual(contents.rows.map((r) => r.task_id), ['shell-cpu', 'docker-image', 'shell-rm', 'http-bad-config', 'shell-old']);
      const byReason = await fresh.query(DLQ_BY_REASON);
      assert.deepEqual(byReason.rows[0], { failure_reason: "Command '/usr/bin/rm' is not allowed", count: '2' });
      const schemas = await fresh.query(`SELECT count(*)::int AS n FROM pg_views WHERE viewname = 'dead_letter_queue' AND schemaname <> 'jobs'`);
      assert.deepEqual(schemas.rows, [{ n: 0 }], 'no object was made outside the schema jobs');
    } finally {
      await fresh.end();
    }
  });

  it('dead-letter queue contents and failure reasons, with search_path set to jobs', async () => {
    await client.query('SET search_path TO jobs');
    try {
      const contents = await client.query(DLQ_CONTENTS);
      assert.deepEqual(contents.fields.map((f) => f.name), ['id', 'task_id', 'failure_reason', 'created_at']);
      assert.deepEqual(
        contents.rows.map((r) => r.task_id),
        ['shell-cpu', 'docker-image', 'shell-rm', 'http-bad-config', 'shell-old'],
        'newest failure first; the resolved one from two hours ago last',
      );
      const byReason = await client.query(DLQ_BY_REASON);
      assert.deepEqual(byReason.rows[0], { failure_reason: "Command '/usr/bin/rm' is not allowed", count: '2' });
      assert.equal(byReason.rows.length, 4);
      const open = await client.query(`SELECT task_id, status, resolution FROM dead_letter_queue WHERE status = 'pending' ORDER BY task_id`);
      assert.deepEqual(open.rows.map((r) => r.task_id), ['docker-image', 'http-bad-config', 'shell-cpu', 'shell-rm']);
      const resolved = await client.query(`SELECT task_id, status, resolution, resolved_at FROM dead_letter_queue WHERE status = 'resolved'`);
      assert.deepEqual(resolved.rows.map((r) => [r.task_id, r.resolution]), [['shell-old', 'allowlisted after review']]);
    } finally {
      await client.query('RESET search_path');
    }
  });
});
