import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { BreakerRecord } from '../../shared/domain.ts';
import { withOpenBreakers } from './breakersCheck.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

const at = new Date('2026-12-06T20:00:00Z');
const breaker = (service: string, over: Partial<BreakerRecord>): BreakerRecord => ({ ...newBreakerRecord(service, at), ...over });
const kinds: Record<string, string> = { model_api: 'http', slow_api: 'http', report: 'shell' };
const kindOf = (service: string) => kinds[service];
const answering = { name: 'runner:http', ok: true, detail: '1 endpoint(s) answering' };

test("a runner whose probe answers while a service of its kind has an open breaker warns, naming the service and its last error", () => {
  const open = breaker('model_api', { state: 'open', opened_at: at.toISOString(), last_error: 'HTTP 500 from POST http://127.0.0.1:18081/generate' });
  assert.deepEqual(withOpenBreakers(answering, 'http', [open], kindOf, CONSOLE_WORDS), {
    ...answering,
    warning: true,
    detail: '1 endpoint(s) answering; but the calls of model_api (open: HTTP 500 from POST http://127.0.0.1:18081/generate) fail: its circuit breaker is open (the Breakers page)',
  });
});

test('two services of the kind with open breakers are named together, in the plural', () => {
  const opened = { state: 'open' as const, opened_at: at.toISOString() };
  const both = [breaker('slow_api', { ...opened, last_error: 'timed out after 10s' }), breaker('model_api', { ...opened, last_error: 'HTTP 503' })];
  assert.equal(
    withOpenBreakers(answering, 'http', both, kindOf, CONSOLE_WORDS).detail,
    '1 endpoint(s) answering; but the calls of model_api (open: HTTP 503) and slow_api (open: timed out after 10s) fail: their circuit breakers are open (the Breakers page)',
  );
});

test('closed breakers, breakers of other kinds, forced-open ones and failing probes leave the check as it is', () => {
  const others = [
    breaker('slow_api', {}),
    breaker('report', { state: 'open', opened_at: at.toISOString() }),
    breaker('model_api', { mode: 'force_open', mode_set_by: 'ops' }),
  ];
  assert.deepEqual(withOpenBreakers(answering, 'http', others, kindOf, CONSOLE_WORDS), answering);
  const down = { name: 'runner:http', ok: false, detail: 'not answering: http://127.0.0.1:1' };
  assert.deepEqual(withOpenBreakers(down, 'http', [breaker('model_api', { state: 'open' })], kindOf, CONSOLE_WORDS), down);
});

test('a half-open breaker is said as one, with its probe: running, or the next job to come; never "open" beside it', () => {
  const halfOpen = { state: 'half_open' as const, opened_at: at.toISOString(), last_error: 'exit code 1' };
  const shell = { name: 'runner:shell', ok: true, detail: 'can spawn processes' };
  assert.equal(
    withOpenBreakers(shell, 'shell', [breaker('report', halfOpen)], kindOf, CONSOLE_WORDS).detail,
    'can spawn processes; but the calls of report failed (exit code 1) until its circuit breaker opened: half-open now, waiting for its probe: the next job of report goes through as one (the Breakers page)',
  );
  assert.equal(
    withOpenBreakers(shell, 'shell', [breaker('report', { ...halfOpen, probes_in_flight: 1 })], kindOf, CONSOLE_WORDS).detail,
    'can spawn processes; but the calls of report failed (exit code 1) until its circuit breaker opened: half-open now, its probe job running, whose verdict closes it or opens it again (the Breakers page)',
  );
  const mixed = [breaker('model_api', halfOpen), breaker('slow_api', { state: 'open', opened_at: at.toISOString(), last_error: 'HTTP 503' })];
  assert.equal(
    withOpenBreakers(answering, 'http', mixed, kindOf, CONSOLE_WORDS).detail,
    '1 endpoint(s) answering; but the calls of slow_api (open: HTTP 503) fail: its circuit breaker is open; the calls of model_api failed (exit code 1) until its circuit breaker opened: half-open now, waiting for its probe: the next job of model_api goes through as one (the Breakers page)',
  );
});

test('a half-open breaker letting several probe jobs through says how many run, and that their verdicts decide', () => {
  const halfOpen = { state: 'half_open' as const, opened_at: at.toISOString(), last_error: 'HTTP 503', probes_in_flight: 3 };
  assert.equal(
    withOpenBreakers(answering, 'http', [breaker('model_api', halfOpen)], kindOf, CONSOLE_WORDS).detail,
    '1 endpoint(s) answering; but the calls of model_api failed (HTTP 503) until its circuit breaker opened: half-open now, 3 probe jobs running, whose verdicts close it or open it again (the Breakers page)',
  );
});
