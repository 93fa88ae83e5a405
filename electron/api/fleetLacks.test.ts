import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceLack, WorkerCannotRun, WorkerInfo } from '../../shared/domain.ts';
import { Registry } from '../../shared/registry.ts';
import { lackingReason, withWorkersLacking } from './fleetLacks.ts';

const at = '2026-12-07T12:00:00.000Z';
const unsetKey: ServiceLack = { service: 'billing', execution_type: 'shell', unset: ['STRIPE_KEY'], docker: null, other: [], declined: true };

const daemonAway: ServiceLack = { service: 'thumbs', execution_type: 'docker', unset: [], docker: 'Docker daemon at /var/run/docker.sock not answering (ECONNREFUSED)', other: [], declined: true };

/** `probes`: the kinds whose probes had not answered when its record was written, and those that ran out their wait. */
function worker(id: string, lacks: ServiceLack[] | null, looksEveryMs?: number, probes: Pick<WorkerCannotRun, 'probing' | 'unanswered'> = {}): WorkerInfo {
  const cannotRun = lacks === null ? null : { checked_at: at, services: lacks, ...(looksEveryMs === undefined ? {} : { looks_every_ms: looksEveryMs }), ...probes };
  return {
    id, name: null, host: 'h', pid: 1, version: '0.1.0', started_at: at, concurrency: 1, queues: null, services: null, in_flight: 0, state: 'running',
    last_heartbeat_at: at, memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: cannotRun, lost: false,
  };
}

describe('lackingReason: a service none of the workers that would take it can run', () => {
  it('names the variable and the workers lacking it', () => {
    const why = lackingReason('default', 'billing', [worker('w2', [unsetKey]), worker('w3', [unsetKey])]);
    assert.match(why ?? '', /^service billing cannot run on any of the 2 live workers that take queue default: environment variable STRIPE_KEY is not set on all 2; none of them claims its jobs/);
  });

  it('a worker that has not said what it lacks is not known, not "cannot": nothing is said', () => {
    assert.equal(lackingReason('default', 'billing', [worker('w2', [unsetKey]), worker('old', null)]), null);
  });

  it('says when the workers look at the daemon again by the interval each said, never a number none gave', () => {
    const advice = (workers: WorkerInfo[]) => /give the workers its socket: ([^)]*)\)$/.exec(lackingReason('default', 'thumbs', workers) ?? '')?.[1];
    assert.equal(advice([worker('w1', [daemonAway], 30_000), worker('w2', [daemonAway], 30_000)]), 'each looks again 30 s after its last look');
    assert.equal(advice([worker('w1', [daemonAway], 5_000)]), 'it looks again 5 s after its last look');
    assert.equal(advice([worker('w1', [daemonAway], 500), worker('w2', [daemonAway], 45_000)]), 'each looks again 0.5 s to 45 s after its last look');
    assert.equal(advice([worker('w1', [daemonAway], 30_000), worker('older', [daemonAway])]), 'each looks again on its own', 'an older worker did not say its interval');
  });

  it('a worker whose Docker probe did not answer within its wait (docker not checked yet) is not told to start the daemon', () => {
    // Its record says the daemon as the look before found it, away; whether it answers now is not known.
    const unchecked = worker('w1', [daemonAway], 30_000, { probing: ['docker'], unanswered: ['docker'] });
    const why = lackingReason('default', 'thumbs', [unchecked]) ?? '';
    assert.doesNotMatch(why, /start the Docker daemon/);
    assert.match(why, /\(the Docker probe did not answer within its wait and is not asked again before it does, so the next look takes its answer, at once if it came meanwhile or once it comes: it looks again 30 s after its last look\)$/);
    // Beside a worker whose look found the daemon away: each is told what is true of it.
    const both = lackingReason('default', 'thumbs', [unchecked, worker('w2', [daemonAway], 5_000)]) ?? '';
    assert.match(
      both,
      /\(start the Docker daemon or give the workers its socket: it looks again 5 s after its last look; the Docker probe did not answer within its wait and is not asked again before it does, so the next look takes its answer, at once if it came meanwhile or once it comes: it looks again 30 s after its last look\)$/,
    );
  });

  it('a worker whose Docker probe is still to answer (a look under way) says what a look found: it is told to start the daemon', () => {
    // A reload's record said in parts: every kind probing, the daemon as the last look found it, refusing.
    const why = lackingReason('default', 'thumbs', [worker('w1', [daemonAway], 30_000, { probing: ['docker'] })]) ?? '';
    assert.doesNotMatch(why, /did not answer within its wait/);
    assert.match(why, /\(start the Docker daemon or give the workers its socket: it looks again 30 s after its last look\)$/);
  });

  it('the dispatch check names the due count beside the service: one sentence, its advice last', () => {
    const why = lackingReason('default', 'billing', [worker('w2', [unsetKey])], 20) ?? '';
    assert.match(why, /^service billing \(20 due\) cannot run on the only live worker that takes queue default: .*\(set the variables where the workers run, then restart them\)$/);
  });

  it('one worker able is enough: nothing is said', () => {
    assert.equal(lackingReason('default', 'billing', [worker('w2', [unsetKey]), worker('w1', [])]), null);
  });
});

describe('withWorkersLacking: a runner check names the workers lacking what its services need', () => {
  const registry = Registry.parse({
    services: [{ name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3' }, security_policy: { allowed_images: ['alpine:3'] } }],
  });
  const probe = { name: 'runner:docker', ok: true, detail: 'Docker daemon answering at /var/run/docker.sock' };

  it('says whether a worker claims the service beside its name, as the Runners page does, never after the daemon\'s parentheses', () => {
    const failsThere: ServiceLack = { ...daemonAway, docker: 'Docker daemon at /var/run/docker.sock not answering (ETIMEDOUT)', declined: false };
    const check = withWorkersLacking(probe, 'docker', [worker('w1', [daemonAway]), worker('w2', [failsThere]), worker('w3', [])], registry);
    assert.equal(check.warning, true, 'w3 runs it');
    assert.equal(
      check.detail,
      'Docker daemon answering at /var/run/docker.sock; 2 of 3 live workers cannot run services of it: ' +
        'on worker w1: thumbs (not claimed there): Docker daemon at /var/run/docker.sock not answering (ECONNREFUSED); ' +
        'on worker w2: thumbs (its jobs fail there): Docker daemon at /var/run/docker.sock not answering (ETIMEDOUT)',
    );
  });
});
