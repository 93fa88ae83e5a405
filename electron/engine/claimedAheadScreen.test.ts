import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, type ServiceConfig } from '../../shared/registry.ts';
import type { ClaimedJob } from '../store/store.ts';
import { BREAKER_OPEN, leftOut, whyNotStart, type AheadGates } from './claimedAheadScreen.ts';
import { newRunning, type Running } from './running.ts';

const registry = Registry.parse({
  services: [
    { name: 'quick', execution_type: 'noop' },
    { name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: '/run/away.sock' }, security_policy: { allowed_images: ['alpine:3'] } },
  ],
});
const named = (name: string): ServiceConfig => {
  const service = registry.services.find((s) => s.name === name);
  assert.ok(service, name);
  return service;
};

function ahead(id: number, service: string): Running {
  const job: ClaimedJob = {
    id,
    identifier: `job-${id}`,
    queue: 'default',
    service_name: service,
    execution_type: named(service).execution_type,
    payload: {},
    priority: 0,
    attempt: 1,
    max_attempts: 3,
    attempt_id: id * 10,
    lease_expires_at: '2026-12-07T00:00:30.000Z',
    interruptions: 0,
  };
  return newRunning(job, named(service), new Date(), Date.now() + 30_000);
}

/** Nothing holds any service back, but what a test names. */
function gates(held: Partial<AheadGates> = {}): AheadGates {
  return { breakerOpen: () => false, paused: () => false, daemonAway: () => false, ...held };
}
const awaySocket = (service: ServiceConfig) => service.execution_type === 'docker' && service.runner_config.socket_path === '/run/away.sock';

describe('a job claimed ahead, as a slot frees for it', () => {
  it('starts when nothing holds it back', () => {
    assert.equal(whyNotStart(ahead(1, 'quick'), gates()), null);
  });

  it('goes back when its breaker opened, its service was paused, or its daemon was found away meanwhile, saying which', () => {
    assert.equal(whyNotStart(ahead(1, 'quick'), gates({ breakerOpen: (s) => s === 'quick' })), BREAKER_OPEN);
    assert.equal(whyNotStart(ahead(1, 'quick'), gates({ paused: (s) => s === 'quick' })), 'paused: the upstream asked to wait (429)');
    assert.equal(whyNotStart(ahead(2, 'thumbs'), gates({ daemonAway: awaySocket })), 'service thumbs cannot run on this worker: handed back for a worker that can');
    assert.equal(whyNotStart(ahead(1, 'quick'), gates({ daemonAway: awaySocket })), null, 'another service\'s daemon is not its own');
  });
});

describe('jobs claimed ahead once the worker leaves their service out of its claims', () => {
  it('those of a service declined, or of a daemon found away, go back; the rest stay', () => {
    const all = [ahead(1, 'quick'), ahead(2, 'thumbs'), ahead(3, 'quick')];
    assert.deepEqual(leftOut(all, new Set(), () => false), []);
    assert.deepEqual(leftOut(all, new Set(['quick']), () => false).map((out) => out.running.job.id), [1, 3]);
    const away = leftOut(all, new Set(), awaySocket);
    assert.deepEqual(away.map((out) => [out.running.job.id, out.reason]), [[2, 'service thumbs cannot run on this worker: handed back for a worker that can']]);
  });
});
