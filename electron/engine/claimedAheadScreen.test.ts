import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, type ServiceConfig } from '../../shared/registry.ts';
import type { ClaimedJob } from '../store/store.ts';
import { BREAKER_OPEN, leftOut, pastTheBreaker, whyNotStart, type AheadGates } from './claimedAheadScreen.ts';
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

/** Nothing holds any service back and the registry in use is the one they were claimed under, but what a test names. */
function gates(held: Partial<AheadGates> = {}): AheadGates {
  return {
    breakerOpen: () => false,
    paused: () => false,
    settings: (service) => registry.services.find((s) => s.name === service),
    declined: () => false,
    daemonAway: () => false,
    gone: (service) => `service ${service} is gone`,
    ...held,
  };
}
const awaySocket = (service: ServiceConfig) => service.execution_type === 'docker' && service.runner_config.socket_path === '/run/away.sock';
const cannotRun = 'service thumbs cannot run on this worker: handed back for a worker that can';

describe('a job claimed ahead, as a slot frees for it', () => {
  it('starts, with its settings in the registry in use, when nothing holds it back', () => {
    assert.deepEqual(whyNotStart(ahead(1, 'quick'), gates()), { service: named('quick') });
  });

  it('goes back when its breaker opened, its service was paused, or its daemon was found away meanwhile, saying which', () => {
    assert.deepEqual(whyNotStart(ahead(1, 'quick'), gates({ breakerOpen: (s) => s === 'quick' })), { back: BREAKER_OPEN });
    assert.deepEqual(whyNotStart(ahead(1, 'quick'), gates({ paused: (s) => s === 'quick' })), { back: 'paused: the upstream asked to wait (429)' });
    assert.deepEqual(whyNotStart(ahead(2, 'thumbs'), gates({ daemonAway: awaySocket })), { back: cannotRun });
    assert.deepEqual(whyNotStart(ahead(1, 'quick'), gates({ daemonAway: awaySocket })), { service: named('quick') }, 'another service\'s daemon is not its own');
  });

  it('under a registry reloaded since its claim: back when the registry names its service no more, else run as the registry says now', () => {
    assert.deepEqual(whyNotStart(ahead(1, 'quick'), gates({ settings: () => undefined })), { back: 'service quick is gone' });
    const moved = Registry.parse({
      services: [{ name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: '/run/answers.sock' }, security_policy: { allowed_images: ['alpine:3'] } }],
    }).services[0];
    assert.ok(moved);
    // Its daemon as its settings now say: the one it was claimed for was found away, the one it moved to was not.
    assert.deepEqual(whyNotStart(ahead(2, 'thumbs'), gates({ settings: () => moved, daemonAway: awaySocket })), { service: moved });
  });
});

describe('a job its breaker let through (a probe slot granted)', () => {
  it('is not held by its breaker, whose granted slot leaves no allowance; the pause and the registry in use still send it back', () => {
    assert.deepEqual(pastTheBreaker(ahead(1, 'quick'), gates({ breakerOpen: () => true })), { service: named('quick') });
    assert.deepEqual(pastTheBreaker(ahead(1, 'quick'), gates({ paused: (s) => s === 'quick' })), { back: 'paused: the upstream asked to wait (429)' });
    assert.deepEqual(pastTheBreaker(ahead(2, 'thumbs'), gates({ daemonAway: awaySocket })), { back: cannotRun });
  });
});

describe('jobs claimed ahead once what the worker leaves out of its claims changed', () => {
  it('those of a service declined, gone from the registry, or of a daemon found away go back; the rest stay', () => {
    const all = [ahead(1, 'quick'), ahead(2, 'thumbs'), ahead(3, 'quick')];
    const ids = (back: ReturnType<typeof leftOut>) => back.map((out) => out.running.job.id);
    assert.deepEqual(ids(leftOut(all, gates())), []);
    assert.deepEqual(ids(leftOut(all, gates({ declined: (s) => s === 'quick' }))), [1, 3]);
    assert.deepEqual(ids(leftOut(all, gates({ settings: (s) => (s === 'thumbs' ? undefined : named(s)) }))), [2]);
    assert.deepEqual(
      leftOut(all, gates({ daemonAway: awaySocket })).map((out) => [out.running.job.id, out.reason]),
      [[2, cannotRun]],
    );
  });
});
