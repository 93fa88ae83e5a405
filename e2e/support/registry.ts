import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const EXAMPLE = fileURLToPath(new URL('../../examples/registry.yaml', import.meta.url));

/** The services the specs drive: each has one job, so specs running one after another do not meet. */
function e2eServices(upstreamPort: number): unknown[] {
  const quietBreaker = { failure_threshold: 1000, minimum_volume: 1000 };
  return [
    {
      name: 'e2e_upstream',
      execution_type: 'http',
      queue: 'e2e',
      description: 'Calls the switchable e2e upstream; fails while it is down.',
      runner_config: { base_url: `http://127.0.0.1:${upstreamPort}`, method: 'POST', path: '/work', timeout: 5 },
      retry_config: { max_retries: 0 },
      circuit_breaker: quietBreaker,
    },
    // The e2e host never sets E2E_WORKER_TOKEN, on purpose: the validate-token spec and the Runners page's
    // cannot-run spec read its absence from the console's process and engine, which leaves its jobs to
    // workers that have it. No spec runs one.
    {
      name: 'e2e_auth',
      execution_type: 'http',
      queue: 'e2e',
      description: "Sends a bearer token from a variable the workers have and the console's process does not: what validate-token can tell from the console.",
      runner_config: { base_url: `http://127.0.0.1:${upstreamPort}`, method: 'GET', path: '/work', auth_type: 'bearer', auth_config: { token_env_var: 'E2E_WORKER_TOKEN' }, timeout: 2 },
      retry_config: { max_retries: 0 },
      circuit_breaker: quietBreaker,
    },
    {
      name: 'e2e_reject',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Refuses every job, not retryable: straight to the dead letters.',
      runner_config: { fail: true, fail_retryable: false, fail_message: 'e2e rejected the payload' },
      retry_config: { max_retries: 0 },
      circuit_breaker: quietBreaker,
    },
    {
      name: 'e2e_flaky',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Fails every attempt and retries once at once: the recent-failures spec counts its retries and dead letters.',
      runner_config: { fail: true, fail_message: 'e2e flaky dependency refused the call' },
      // A retry within milliseconds, so each job's two failures (one retrying, one dead-lettered) land in the test's time.
      retry_config: { max_retries: 1, initial_backoff: 0.05 },
      circuit_breaker: quietBreaker,
    },
    {
      name: 'e2e_tripping',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Fails once with a long error and opens its breaker at the first failure: the breakers spec reads the open row.',
      runner_config: {
        fail: true,
        fail_retryable: true,
        fail_message: "shell job failed: '/app/script.py' exited 2 after reading /var/lib/opsdeck/inputs/orders-2026-12-06.csv (permission denied)",
      },
      retry_config: { max_retries: 0 },
      circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 600 },
    },
    {
      name: 'e2e_gate',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Succeeds quickly; its breaker is forced open by a spec.',
      runner_config: { sleep_ms: 10 },
    },
    {
      name: 'e2e_quick',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Succeeds quickly; the jobs table spec filters for it.',
      runner_config: { sleep_ms: 5 },
    },
    {
      name: 'e2e_budget',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Given a rate limit at run time by a spec; no other spec runs its jobs.',
      runner_config: { sleep_ms: 5 },
    },
    {
      name: 'e2e_scheduled',
      execution_type: 'noop',
      queue: 'e2e_sched',
      description: 'Enqueued by the schedules spec: its own service and queue, so no other spec counts its jobs.',
      runner_config: { sleep_ms: 5 },
    },
    {
      name: 'e2e_held',
      execution_type: 'noop',
      queue: 'e2e',
      description: 'Waits while safe mode holds the workers, in the held-workers spec; no other spec runs its jobs.',
      runner_config: { sleep_ms: 5 },
    },
    {
      name: 'e2e_sleeper',
      execution_type: 'shell',
      queue: 'e2e_slow',
      timeout: 300,
      description: 'Sleeps long enough to be interrupted by an emergency stop.',
      runner_config: { command: ['/bin/sleep', '120'] },
      security_policy: { allowed_commands: ['/bin/sleep'] },
      retry_config: { max_retries: 0 },
    },
  ];
}

/** A registry schedule for the schedules spec: far from any test run's hour, so it never fires during one. */
function e2eSchedules(): unknown[] {
  return [{ name: 'e2e_nightly', service: 'e2e_scheduled', cron: '30 2 * * *', timezone: 'Europe/Berlin', missed: 'skip' }];
}

/**
 * The workflows the Workflows specs run: in e2e_flow, `sync` calls the switchable upstream, so it fails
 * while the upstream is down and leaves `report` blocked, and completes once it is back; e2e_stall's task
 * sleeps, so its run is flagged stuck on the overview.
 */
const E2E_WORKFLOWS = [
  {
    name: 'e2e_flow',
    description: 'Prepare, sync with the upstream, report.',
    tasks: [
      { name: 'prepare', service: 'e2e_quick' },
      { name: 'sync', service: 'e2e_upstream', depends_on: ['prepare'] },
      { name: 'report', service: 'e2e_quick', depends_on: ['sync'] },
    ],
  },
  {
    name: 'e2e_stall',
    description: 'Its first task sleeps for minutes: stuck after two seconds without progress.',
    stuck_after: '2s',
    tasks: [
      { name: 'stall', service: 'e2e_sleeper' },
      { name: 'after', service: 'e2e_quick', depends_on: ['stall'] },
    ],
  },
  {
    name: 'e2e_sched_flow',
    description: 'Started by a schedule in the schedules spec: its task runs the scheduled service.',
    tasks: [{ name: 'stamp', service: 'e2e_scheduled' }],
  },
];

/** Writes the example registry plus the e2e services, schedule and workflows into `dir` and returns the file's path. */
export async function writeE2eRegistry(dir: string, upstreamPort: number): Promise<string> {
  const example: unknown = parse(await readFile(EXAMPLE, 'utf8'));
  const services = typeof example === 'object' && example !== null && 'services' in example && Array.isArray(example.services) ? example.services : [];
  const file = join(dir, 'registry.yaml');
  const workflows = typeof example === 'object' && example !== null && 'workflows' in example && Array.isArray(example.workflows) ? example.workflows : [];
  await writeFile(file, stringify({ services: [...services, ...e2eServices(upstreamPort)], schedules: e2eSchedules(), workflows: [...workflows, ...E2E_WORKFLOWS] }));
  return file;
}
