import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaBehindError, type StoreErrorCode } from '../errors.ts';
import { connectionError, isSchemaGap, noAnswerError, privilegeError, schemaGapError } from './errors.ts';

const url = 'postgres://ops:s3cret@db.internal:6543/jobsdb';

function pgError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

test('each connection failure says what is wrong and what to do, never the password', () => {
  const cases: Array<[Error, StoreErrorCode, RegExp, RegExp]> = [
    [pgError('ECONNREFUSED', 'connect ECONNREFUSED'), 'unreachable', /cannot reach PostgreSQL at db\.internal:6543: connection refused/, /server running/],
    [pgError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'), 'unreachable', /cannot reach PostgreSQL at db\.internal:6543: host not found/, /check the host name in the URL/],
    [pgError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.internal'), 'unreachable', /cannot reach PostgreSQL at db\.internal:6543: its host name could not be looked up for now/, /DNS servers .*looks it up again/],
    [pgError('28P01', 'password authentication failed for user "ops"'), 'auth', /refused ops/, /user and password/],
    [pgError('3D000', 'database "jobsdb" does not exist'), 'no_database', /database "jobsdb" does not exist/, /createdb jobsdb/],
    [pgError('57P01', 'terminating connection due to administrator command'), 'unavailable', /closed a connection to database "jobsdb": terminating connection due to administrator command/, /shutting down or an administrator ended the connection; opsdeck reconnects by itself/],
    [pgError('57P03', 'the database system is starting up'), 'unavailable', /shutting down or starting up/, /reconnects by itself/],
    [pgError('55000', 'database "jobsdb" is not currently accepting connections'), 'unavailable', /database "jobsdb" on db\.internal:6543 is not accepting connections/, /ALLOW_CONNECTIONS false/],
    [Object.assign(pgError('55000', 'la base de données « jobsdb » n\'accepte plus les connexions'), { routine: 'CheckMyDatabase' }), 'unavailable', /is not accepting connections/, /ALLOW_CONNECTIONS false/],
    [pgError('25006', 'cannot execute UPDATE in a read-only transaction'), 'unavailable', /is read-only: cannot execute UPDATE/, /standby .*primary/],
    [pgError('57014', 'canceling statement due to statement timeout'), 'unavailable', /cancelled the statement: canceling statement due to statement timeout/, /statement_timeout/],
    [pgError('53300', 'sorry, too many clients already'), 'unavailable', /not accepting connections: sorry, too many clients/, /max_connections/],
    [pgError('53300', 'too many connections for role "ops"'), 'unavailable', /too many connections for role/, /ALTER ROLE … CONNECTION LIMIT n\); this opsdeck process holds up to 8 connections plus one to listen \(OPSDECK_PG_POOL_MAX sets how many\)/],
    [pgError('53300', 'too many connections for database "jobs"'), 'unavailable', /too many connections for database/, /ALTER DATABASE … CONNECTION LIMIT n/],
    // A full pool's caller waited its 5 s for a connection: the server was not even asked.
    [new Error('timeout exceeded when trying to connect'), 'unavailable', /all 8 connections of this process's pool to PostgreSQL at db\.internal:6543 stayed busy for 5 s/, /OPSDECK_PG_POOL_MAX sets it/],
  ];
  for (const [err, kind, what, hint] of cases) {
    const mapped = connectionError(err, url, 5000);
    assert.ok(mapped, err.message);
    assert.equal(mapped.code, kind, err.message);
    assert.match(mapped.message, what);
    assert.match(mapped.hint, hint);
    assert.doesNotMatch(mapped.message, /s3cret/);
  }
});

test('an outage that passes by itself (a DNS server not answering for now among them) says so; one that needs an operator (a host name not found, schema, connection limit, credentials, a standby) does not', () => {
  const passes = [
    pgError('ECONNRESET', 'read ECONNRESET'),
    pgError('ECONNREFUSED', 'connect ECONNREFUSED'),
    pgError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.internal'),
    pgError('57P01', 'terminating connection due to administrator command'),
    pgError('57P03', 'the database system is starting up'),
    pgError('08006', 'connection failure'),
    pgError('57014', 'canceling statement due to statement timeout'),
    pgError('40001', 'could not serialize access due to concurrent update'),
    pgError('40P01', 'deadlock detected'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
  ];
  for (const err of passes) assert.equal(connectionError(err, url, 5000)?.transient, true, err.message);
  assert.equal(noAnswerError(new Error('Query read timeout'), url, 10_000)?.transient, true);
  const needsAction = [
    pgError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'),
    pgError('42P01', 'relation "jobs" does not exist'),
    pgError('53300', 'too many connections for role "ops"'),
    pgError('28P01', 'password authentication failed for user "ops"'),
    pgError('3D000', 'database "jobsdb" does not exist'),
    pgError('25006', 'cannot execute UPDATE in a read-only transaction'),
  ];
  for (const err of needsAction) assert.equal(connectionError(err, url, 5000)?.transient, false, err.message);
});

test("out of connections, the hint names this process's pool size, as OPSDECK_PG_POOL_MAX set it", () => {
  const mapped = connectionError(pgError('53300', 'too many connections for role "ops"'), url, 5000, 3);
  assert.match(mapped?.hint ?? '', /holds up to 3 connections plus one to listen \(OPSDECK_PG_POOL_MAX sets how many\)/);
});

test("pg's own wait for an answer running out names the server and the wait, never the password", () => {
  const mapped = noAnswerError(new Error('Query read timeout'), url, 10_000);
  assert.ok(mapped);
  assert.equal(mapped.code, 'unavailable');
  assert.match(mapped.message, /^PostgreSQL at db\.internal:6543 did not answer within 10 s/);
  assert.match(mapped.hint, /network/);
  assert.doesNotMatch(`${mapped.message} ${mapped.hint}`, /s3cret/);
  assert.equal(noAnswerError(pgError('23505', 'duplicate key value'), url, 10_000), null);
});

test('a statement error is not a connection error', () => {
  assert.equal(connectionError(pgError('23505', 'duplicate key value violates unique constraint'), url, 5000), null);
  assert.equal(connectionError(pgError('55000', 'cannot execute nextval() in a read-only transaction state'), url, 5000), null, '55000 is not only about connections');
});

test("a pool full of connections still trying to reach the server is the server not answering, not a pool held busy", () => {
  const err = new Error('timeout exceeded when trying to connect');
  const connecting = connectionError(err, url, 5000, 8, 3);
  assert.equal(connecting?.code, 'unreachable');
  assert.match(connecting?.message ?? '', /^cannot reach PostgreSQL at db\.internal:6543: no connection within 5 s; check the host, the port and any firewall$/);
  assert.match(connectionError(err, url, 5000, 8, 8)?.message ?? '', /stayed busy for 5 s/, 'every connection made: the pool is held busy');
});

test('a privilege refused (42501) names the role, what it may not do and the grant; it is no connection failure', () => {
  const cases: Array<[Error, Parameters<typeof privilegeError>[2], RegExp, RegExp]> = [
    [pgError('42501', 'permission denied for schema jobs'), { role: 'app_ro', reads: null }, /the PostgreSQL role app_ro may not use the schema jobs/, /GRANT USAGE ON SCHEMA jobs TO app_ro/],
    [pgError('42501', 'permission denied for table tb_breaker'), { role: 'app_ro', reads: true }, /app_ro may read but not write table jobs\.tb_breaker/, /GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA jobs TO app_ro/],
    [pgError('42501', 'permission denied for table tb_job_run'), { role: 'app_ro', reads: false }, /app_ro may not read table jobs\.tb_job_run/, /GRANT SELECT, INSERT, UPDATE, DELETE/],
    // Unasked whether it reads (the role's name not read either): the URL's user, and both named.
    [pgError('42501', 'permission denied for table tb_control'), undefined, /the PostgreSQL role ops may not read or write table jobs\.tb_control/, /or use the role opsdeck's workers use/],
    [pgError('42501', 'permission denied for database jobsdb'), undefined, /ops may not create opsdeck's schema jobs in database jobsdb at db\.internal:6543/, /GRANT CREATE ON DATABASE jobsdb TO ops/],
    [Object.assign(pgError('42501', 'permission denied for database "jobsdb"'), { routine: 'CheckMyDatabase' }), undefined, /ops may not connect to database jobsdb/, /GRANT CONNECT ON DATABASE jobsdb TO ops/],
  ];
  for (const [err, denied, what, hint] of cases) {
    const mapped = privilegeError(err, url, denied);
    assert.ok(mapped, err.message);
    assert.equal(mapped.code, 'permission');
    assert.equal(mapped.transient, false);
    assert.match(mapped.message, what);
    assert.match(mapped.hint, hint);
    assert.doesNotMatch(mapped.message, /s3cret/);
  }
  assert.equal(privilegeError(pgError('23505', 'duplicate key'), url), null);
});

test('a column or table of jobs.* missing says to migrate only when the database records fewer migrations than this opsdeck has', () => {
  const column = pgError('42703', 'column "drain_by" does not exist');
  const table = pgError('42P01', 'relation "jobs.tb_job_count" does not exist');
  assert.ok(isSchemaGap(column));
  assert.ok(isSchemaGap(table));
  assert.equal(isSchemaGap(pgError('42P01', 'relation "orders" does not exist')), false, 'not a table of opsdeck\'s schema');
  assert.equal(isSchemaGap(pgError('23505', 'duplicate key')), false);
  for (const err of [column, table]) {
    const behind = schemaGapError(err, url, { applied: 40, pending: 3 });
    assert.ok(behind instanceof SchemaBehindError, err.message);
    assert.equal(behind.code, 'schema_behind');
    assert.deepEqual([behind.applied, behind.pending], [40, 3]);
    assert.match(behind.message, new RegExp(`^the database jobsdb on db\\.internal:6543 lacks part of opsdeck's schema \\(${err.message}\\): the store's schema is 3 migration\\(s\\) behind this opsdeck; stop the workers and run opsdeck migrate`));
    assert.equal(behind.transient, false);
    const current = schemaGapError(err, url, { applied: 43, pending: 0 });
    assert.equal(current.code, 'unavailable');
    assert.match(current.message, /though all 43 of this opsdeck's migrations are applied there: the schema was changed by hand/);
    assert.doesNotMatch(current.message, /behind|run opsdeck migrate/);
    const gone = schemaGapError(err, url, { applied: 0, pending: 43 });
    assert.equal(gone.code, 'unavailable');
    assert.match(gone.message, /lacks opsdeck's schema \(.*\): no migration of opsdeck's is recorded there; stop the workers and run opsdeck migrate/);
    const unknown = schemaGapError(err, url, null);
    assert.match(unknown.message, /which of opsdeck's migrations it has could not be read; see opsdeck health-check migrations/);
    assert.doesNotMatch(unknown.message, /behind/);
    for (const mapped of [behind, current, gone, unknown]) assert.doesNotMatch(mapped.message, /s3cret/);
  }
});
