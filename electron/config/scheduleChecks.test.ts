import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistry } from './load.ts';

const services = `services:
  - name: nightly_report
    execution_type: noop
`;

test('a registry with schedules loads them with their defaults', () => {
  const text = `${services}schedules:
  - name: nightly
    service: nightly_report
    cron: "30 2 * * *"
    timezone: Europe/Berlin
    missed: catch_up
    max_catch_up: 3
    payload: { args: ["--full"] }
`;
  const result = parseRegistry(text, 'r.yaml', {});
  assert.deepEqual(result.problems, []);
  const [schedule] = result.registry?.schedules ?? [];
  assert.deepEqual(schedule, {
    name: 'nightly',
    service: 'nightly_report',
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    missed: 'catch_up',
    max_catch_up: 3,
    payload: { args: ['--full'] },
    enabled: true,
  });
});

test('each schedule problem is refused with its line: cron, zone, unknown service, duplicate, unknown workflow', () => {
  const text = `${services}schedules:
  - name: a
    service: nightly_report
    cron: "61 * * * *"
  - name: b
    service: nightly_report
    cron: "@daily"
    timezone: Europe/Berln
  - name: c
    service: missing_service
    cron: "@hourly"
  - name: a
    service: nightly_report
    cron: "@daily"
  - name: e
    workflow: etl
    cron: "@daily"
  - name: f
    service: nightly_report
    cron: "@daily"
    payload: [--full]
`;
  const result = parseRegistry(text, 'r.yaml', {});
  assert.equal(result.registry, null);
  const lines = result.problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
  const expect = [
    // The words schedule add and schedule check use.
    [7, 'schedules[0].cron', /^minute '61' is not a minute \(0\.\.59\)$/],
    [11, 'schedules[1].timezone', /^'Europe\/Berln' is not a time zone: did you mean Europe\/Berlin\?$/],
    [13, 'schedules[2].service', /not in this registry's services/],
    [15, 'schedules[3].name', /duplicate schedule name 'a'/],
    [19, 'schedules[4].workflow', /^workflow 'etl' is not in this registry's workflows \(known: none\)$/],
    // Each fire's job is enqueued with it: a JSON object, as enqueue takes one.
    [24, 'schedules[5].payload', /^must be a JSON object, such as \{"date": "2026-12-04"\}, not an array$/],
  ] as const;
  for (const [line, path, message] of expect) {
    assert.ok(
      result.problems.some((p) => p.line === line && p.path === path && message.test(p.message)),
      `expected ${line} ${path} ${message}; got:\n${lines.join('\n')}`,
    );
  }
});

test('a schedule starts a workflow of the registry, with its payload; an unknown one is refused with its line', () => {
  const text = `${services}workflows:
  - name: nightly_etl
    tasks:
      - name: extract
        service: nightly_report
schedules:
  - name: etl_nightly
    workflow: nightly_etl
    cron: "@daily"
    payload: { day: yesterday }
  - name: etl_typo
    workflow: nightly_elt
    cron: "@daily"
`;
  const result = parseRegistry(text, 'r.yaml', {});
  assert.equal(result.registry, null);
  assert.deepEqual(
    result.problems.map((p) => [p.line, p.path, p.message]),
    [[15, 'schedules[1].workflow', "workflow 'nightly_elt' is not in this registry's workflows (known: nightly_etl)"]],
  );
  const fixed = parseRegistry(text.replace('nightly_elt', 'nightly_etl'), 'r.yaml', {});
  assert.deepEqual(fixed.problems, []);
  assert.deepEqual(
    fixed.registry?.schedules?.map((s) => [s.name, s.workflow, s.service, s.payload]),
    [
      ['etl_nightly', 'nightly_etl', undefined, { day: 'yesterday' }],
      ['etl_typo', 'nightly_etl', undefined, undefined],
    ],
  );
});
