import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistry } from './load.ts';

const text = `services:
  - name: api
    execution_type: noop
alerts:
  - name: spike
    kind: failure_rate
    service: apx
    threshold: 0.5
    channels:
      - type: webhook
        url_env_var: ALERT_URL
  - name: raw
    kind: worker_lost
    channels:
      - type: webhook
        url: https://hooks.example/T0/secret
`;

test('alert rules: a URL written in place is refused, a missing variable and an unknown service are warned about, with their lines', () => {
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null, 'a URL in the registry is refused: it names a variable');
  const at = problems.map((p) => `${p.line}:${p.path}:${p.severity ?? 'error'}`);
  assert.ok(at.includes('7:alerts[0].service:warning'), at.join(' | '));
  assert.ok(at.includes('11:alerts[0].channels[0].url_env_var:warning'), at.join(' | '));
  assert.ok(problems.some((p) => p.path.startsWith('alerts[1].channels[0]') && (p.severity ?? 'error') === 'error'), at.join(' | '));
  const good = parseRegistry(text.replace('apx', 'api').replace(/ {2}- name: raw[\s\S]*$/, ''), 'r.yaml', { ALERT_URL: 'https://hooks.example/x' });
  assert.deepEqual(good.problems, []);
  assert.equal(good.registry?.alerts?.[0]?.name, 'spike');
});
