import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { ControlState, WorkerInfo } from '../../shared/domain.ts';
import { ungatedView } from '../../shared/rateLimitTuning.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';
import { fullFleet, rateLimitReason, waitingReasons, type WaitingFacts } from './waitingReasons.ts';

const now = new Date('2026-12-06T12:00:00.000Z');
const off = { engaged: false, by: null, at: null, reason: null };
const calm: ControlState = { emergency_stop: off, safe_mode: off, paused_queues: [], version: 1 };
const worker = (over: Partial<WorkerInfo> = {}): WorkerInfo => ({
  id: 'w1',
  name: null,
  host: 'h',
  pid: 1,
  version: '0.1.0',
  started_at: now.toISOString(),
  concurrency: 4,
  queues: null,
  services: null,
  in_flight: 0,
  state: 'running',
  last_heartbeat_at: now.toISOString(),
  memory: null,
  cpu_percent: null,
  pool: null,
  registry: null,
  cannot_run: null,
  lost: false,
  ...over,
});
const facts = (over: Partial<WaitingFacts> = {}): WaitingFacts => ({
  job: { status: 'pending', queue: 'billing', service_name: 'payments', run_at: now.toISOString(), attempts: 0 },
  now,
  control: calm,
  breaker: null,
  breakerAllowance: Number.POSITIVE_INFINITY,
  rateLimited: null,
  workers: [worker()],
  serviceKnownHere: true,
  serviceCap: null,
  words: CONSOLE_WORDS,
  ...over,
});

test('a due job that nothing holds has no reason: the next free worker takes it', () => {
  assert.deepEqual(waitingReasons(facts()), []);
  assert.deepEqual(waitingReasons(facts({ job: { ...facts().job, status: 'running' }, workers: [] })), [], 'only pending jobs wait');
});

test('every hold is named with what lifts it, in the order an operator looks', () => {
  const reasons = waitingReasons(
    facts({
      job: { status: 'pending', queue: 'billing', service_name: 'payments', run_at: '2026-12-06T12:05:00.000Z', attempts: 2 },
      control: {
        emergency_stop: { engaged: true, by: 'ana', at: now.toISOString(), reason: 'incident 42' },
        safe_mode: { engaged: true, by: null, at: null, reason: null },
        paused_queues: [{ queue: 'billing', by: 'bo', at: now.toISOString(), reason: 'migration' }],
        version: 2,
      },
      breaker: { ...newBreakerRecord('payments', now), state: 'open' },
      breakerAllowance: 0,
      rateLimited: 'rate limit 10 per 1s spent',
      workers: [],
    }),
  );
  assert.deepEqual(reasons, [
    'a retry, waiting out its backoff until 2026-12-06T12:05:00.000Z (in 5m)',
    'the emergency stop is engaged by ana: incident 42 (Resume in the banner at the top releases it)',
    'safe mode is on (Leave safe mode in the banner at the top)',
    'queue billing is paused by bo: migration (Resume queue in its banner at the top)',
    'the circuit breaker of payments is open: jobs wait for its recovery timeout, then a probe tries (Reset beside payments on the Breakers page closes it now)',
    'rate limit 10 per 1s spent',
    'no worker is running (start one: opsdeck worker on a server, or turn on local execution in Settings)',
  ]);
});

test('a breaker forced open or probing holds the job; one that lets jobs through does not', () => {
  const record = newBreakerRecord('payments', now);
  assert.deepEqual(waitingReasons(facts({ breaker: { ...record, mode: 'force_open' }, breakerAllowance: 0 })), [
    'the circuit breaker of payments is forced open (Reset beside payments on the Breakers page)',
  ]);
  assert.match(waitingReasons(facts({ breaker: { ...record, state: 'half_open' }, breakerAllowance: 0 }))[0] ?? '', /half-open: its probes run first/);
  assert.deepEqual(waitingReasons(facts({ breaker: { ...record, state: 'half_open' }, breakerAllowance: 1 })), []);
});

test('workers: none alive, all draining, or none taking the queue', () => {
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ lost: true }), worker({ state: 'stopped' })] })), ['no worker is running (start one: opsdeck worker on a server, or turn on local execution in Settings)']);
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ state: 'draining' })] })), ['every worker is draining to stop: none takes new jobs (start one: opsdeck worker on a server, or turn on local execution in Settings)']);
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ queues: ['reports'] })] })), [
    'no running worker takes queue billing (each was started with --queues naming others)',
  ]);
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ queues: ['reports'] }), worker({ queues: ['billing'] })] })), []);
  assert.deepEqual(waitingReasons(facts({ job: { ...facts().job, run_at: '2026-12-06T13:00:00.000Z' } })), ['scheduled for 2026-12-06T13:00:00.000Z (in 1h 0m)']);
});

test('safe mode and the emergency stop hold the workers, which are not stopping: the reason is the control plane, with what lifts it', () => {
  const safe: ControlState = { ...calm, safe_mode: { engaged: true, by: 'root@vm', at: now.toISOString(), reason: null }, version: 2 };
  assert.deepEqual(waitingReasons(facts({ control: safe, workers: [worker({ state: 'held' })] })), ['safe mode is on by root@vm (Leave safe mode in the banner at the top)']);
  const stopped: ControlState = { ...calm, emergency_stop: { engaged: true, by: 'root@vm', at: now.toISOString(), reason: null }, version: 2 };
  assert.deepEqual(waitingReasons(facts({ control: stopped, workers: [worker({ state: 'held' })] })), ['the emergency stop is engaged by root@vm (Resume in the banner at the top releases it)']);
  assert.deepEqual(waitingReasons(facts({ control: safe, workers: [worker({ state: 'held', queues: ['reports'] })] })), [
    'safe mode is on by root@vm (Leave safe mode in the banner at the top)',
    'no running worker takes queue billing (each was started with --queues naming others)',
  ], 'a held worker that would not take the queue once released is no taker either');
  assert.deepEqual(waitingReasons(facts({ control: safe, workers: [worker({ state: 'held' }), worker({ state: 'draining' })] })), ['safe mode is on by root@vm (Leave safe mode in the banner at the top)']);
});

test('a service missing from the registry loaded here', () => {
  assert.deepEqual(waitingReasons(facts({ serviceKnownHere: false })), ['service payments is not in the registry loaded here: only a worker whose registry has it runs it']);
  assert.deepEqual(waitingReasons(facts({ serviceKnownHere: null })), [], 'no registry here: nothing to say about it');
});

test("a service no running worker's registry has, as the workers declare it", () => {
  const lacking = worker({ services: ['reports'] });
  const noneRunsIt = "no running worker's registry has service payments: start a worker whose registry names it, or add it to the workers' registry";
  assert.deepEqual(waitingReasons(facts({ workers: [lacking] })), [noneRunsIt]);
  assert.deepEqual(waitingReasons(facts({ workers: [lacking], serviceKnownHere: false })), [noneRunsIt], 'said once, by the fleet');
  assert.deepEqual(waitingReasons(facts({ workers: [lacking, worker({ services: ['payments'] })] })), []);
  assert.deepEqual(waitingReasons(facts({ workers: [lacking, worker({ services: null })] })), [], 'a worker that did not say may run it');
  assert.deepEqual(waitingReasons(facts({ workers: [lacking, worker({ services: ['payments'], queues: ['reports'] })] })), [noneRunsIt], 'one that runs it takes other queues');
});

test("a budget set at run time says who set it and how to go back to the registry's, by the console's button", () => {
  const spent = { ...ungatedView('payments'), limit: 2, per_ms: 60_000, used: 2, waiting_reason: 'rate limit reached: 2 of 2 per 1m' };
  assert.equal(rateLimitReason(undefined, CONSOLE_WORDS), null);
  assert.equal(rateLimitReason({ ...spent, waiting_reason: null }, CONSOLE_WORDS), null, 'a budget not spent holds nothing');
  assert.equal(rateLimitReason({ ...spent, registry: { limit: 100, per_ms: 60_000, max_concurrent: null } }, CONSOLE_WORDS), 'rate limit reached: 2 of 2 per 1m');
  const tuned = { ...spent, registry: { limit: 100, per_ms: 60_000, max_concurrent: null }, tuning: { service_name: 'payments', settings: { limit: 2 }, set_by: 'alice', set_at: now.toISOString(), reason: null } };
  assert.equal(
    rateLimitReason(tuned, CONSOLE_WORDS),
    "rate limit reached: 2 of 2 per 1m, as set at run time by alice (Change… beside payments on the Breakers page, then Back to the registry's settings, gives back the registry's: 100 per 1m)",
  );
});

test('a due job every able worker is too busy for waits for a free slot, by their heartbeats, with how to add capacity', () => {
  const slot =
    'no free slot: every live worker taking queue billing is busy (4 of 4 slots, 1 worker), as the Runners page shows; more capacity: start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency';
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ in_flight: 4 }), worker({ lost: true, in_flight: 0 })] })), [slot], 'a lost worker has no slot to give');
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ in_flight: 4 }), worker({ in_flight: 3 })] })), [], 'one free slot is enough');
  assert.deepEqual(waitingReasons(facts({ workers: [worker({ in_flight: 4 }), worker({ in_flight: 0, queues: ['reports'] }), worker({ in_flight: 0, services: ['reports'] })] })), [slot], 'only the slots of workers that would take it count');
  assert.match(waitingReasons(facts({ workers: [worker({ in_flight: 4 }), worker({ in_flight: 2, concurrency: 2 })] }))[0] ?? '', /\(6 of 6 slots, 2 workers\), as the Runners page shows/);
  assert.deepEqual(waitingReasons(facts({ job: { ...facts().job, run_at: '2026-12-06T13:00:00.000Z' }, workers: [worker({ in_flight: 4 })] })), ['scheduled for 2026-12-06T13:00:00.000Z (in 1h 0m)'], 'not due: it waits for its time');
  const safe: ControlState = { ...calm, safe_mode: { engaged: true, by: null, at: null, reason: null }, version: 2 };
  assert.deepEqual(waitingReasons(facts({ control: safe, workers: [worker({ state: 'held', in_flight: 4 })] })), ['safe mode is on (Leave safe mode in the banner at the top)'], 'a held worker: the hold is the reason');
});

test('a job its own service holds (its breaker, its rate limit, its concurrency) is told that, not to add capacity a free slot would not use', () => {
  const busy = [worker({ in_flight: 4 })];
  assert.deepEqual(waitingReasons(facts({ breaker: { ...newBreakerRecord('payments', now), state: 'open' }, breakerAllowance: 0, workers: busy })), [
    'the circuit breaker of payments is open: jobs wait for its recovery timeout, then a probe tries (Reset beside payments on the Breakers page closes it now)',
  ]);
  assert.deepEqual(waitingReasons(facts({ breaker: { ...newBreakerRecord('payments', now), state: 'half_open' }, breakerAllowance: 0, workers: busy })), [
    'the circuit breaker of payments is half-open: its probes run first, the rest wait for their verdict (Reset beside payments on the Breakers page closes it now)',
  ]);
  assert.deepEqual(waitingReasons(facts({ rateLimited: 'rate limit reached: 2 of 2 per 1m', workers: busy })), ['rate limit reached: 2 of 2 per 1m']);
  assert.equal(waitingReasons(facts({ serviceCap: { limit: 2, running: 2 }, workers: busy })).length, 1, 'its concurrency, alone');
  assert.match(waitingReasons(facts({ breaker: { ...newBreakerRecord('payments', now), state: 'half_open' }, breakerAllowance: 1, workers: busy }))[0] ?? '', /^no free slot/, 'a breaker letting it through: the slot is what it waits for');
});

test('fullFleet counts the slots of the workers that would take a queue', () => {
  assert.equal(fullFleet('billing', null, [worker({ in_flight: 1, concurrency: 1, services: ['reports'] })])?.slots, 1, 'the dispatch check asks of a queue, whatever the service');
  assert.equal(fullFleet('billing', null, [worker({ state: 'draining', in_flight: 4 })]), null);
});

test("a service at its registry concurrency waits for one of its jobs to finish, across every worker", () => {
  assert.deepEqual(waitingReasons(facts({ serviceCap: { limit: 2, running: 2 } })), [
    "service payments runs its concurrency of 2 (2 running on every worker together, the registry's concurrency: 2): it waits for one of them to finish",
  ]);
  assert.deepEqual(waitingReasons(facts({ serviceCap: { limit: 2, running: 1 } })), []);
});
