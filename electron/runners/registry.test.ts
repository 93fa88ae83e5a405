import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../shared/registry.ts';
import { createRunners, probeRunners } from './registry.ts';

test('createRunners has one runner per execution type', () => {
  const runners = createRunners();
  assert.deepEqual([...runners.keys()].sort(), ['docker', 'http', 'noop', 'serverless', 'shell']);
  for (const [kind, runner] of runners) assert.equal(runner.kind, kind);
});

test('probeRunners reports every kind; kinds without services are healthy with "no services"', async () => {
  const registry = Registry.parse({
    services: [
      { name: 'n', execution_type: 'noop' },
      { name: 'down', execution_type: 'http', runner_config: { base_url: 'http://127.0.0.1:9' } },
    ],
  });
  const health = await probeRunners(createRunners(), registry, {}, { process: 'this process', runsJobs: false });
  const by = new Map(health.map((h) => [h.kind, h]));
  assert.equal(health.length, 5);
  assert.deepEqual(by.get('noop')?.services, ['n']);
  assert.equal(by.get('noop')?.healthy, true);
  assert.equal(by.get('docker')?.detail, 'no services');
  assert.equal(by.get('docker')?.healthy, true);
  assert.equal(by.get('http')?.healthy, false);
  assert.ok(!Number.isNaN(Date.parse(by.get('http')?.checked_at ?? '')));

  const missing = await probeRunners(new Map(), registry, {}, { process: 'this process', runsJobs: false });
  assert.match(missing.find((h) => h.kind === 'noop')?.detail ?? '', /no noop runner registered/);
});
