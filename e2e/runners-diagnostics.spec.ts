import { z } from 'zod';
import { WorkerView } from '../shared/views.ts';
import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';

const Workers = z.object({ workers: z.array(WorkerView) });

// A worker whose machine went away leaves its row behind; the console's own engine serves and took
// nothing of it to take back, so the check passes, and is worth a look until the worker is forgotten.
// Another went away while it ran a job: the Runners page says what becomes of that job, and when.
test('a lost worker whose jobs were all taken back passes the health check with a warn badge that says how to forget it; one still holding a job is told what becomes of it', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const id = `e2e-gone-${opsdeck.stamp}`;
  const holder = `e2e-crashed-${opsdeck.stamp}`;
  const queue = `e2e_lost_${opsdeck.stamp}`;
  let job = 0;
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    await store.registerWorker({ id, host: 'e2e-retired-host', pid: 4242, version: '0.1.0', concurrency: 1, queues: null });
    await store.registerWorker({ id: holder, host: 'e2e-crashed-host', pid: 4343, version: '0.1.0', concurrency: 1, queues: [queue] });
    // A service no registry here has: the console's engine hands its job back, and the crashed worker claims it.
    await store.enqueue([{ identifier: `lost-${opsdeck.stamp}`, queue, service_name: 'e2e_nowhere', execution_type: 'noop', max_attempts: 3, payload: {} }]);
    await expect.poll(async () => (job = (await store.claim({ workerId: holder, limit: 1, leaseMs: 120_000, queues: [queue] }))[0]?.id ?? 0)).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
  try {
    // Lost once its heartbeat is older than the threshold: it never beats again.
    const lost = async () => Workers.parse(await opsdeck.call('workers.list', {})).workers.filter((w) => (w.id === id || w.id === holder) && w.lost).length;
    await expect.poll(lost, { timeout: 30_000, intervals: [1000] }).toBe(2);

    await opsdeck.open('/runners');
    // What becomes of the job it still holds, in the words opsdeck workers uses, the interface's means named.
    const note = page.getByRole('alert').filter({ hasText: 'stopped sending heartbeats' });
    await expect(note).toContainText(
      new RegExp(`${holder} still holds 1 running job\\(s\\), stuck once their leases run out, by \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\S*: then the Jobs page with "Stuck only" lists them and "Fail now" in each one's drawer fails it, or a live worker's watchdog takes them back: pending again with that attempt spent \\(recorded lost\\), or a dead letter once out of attempts\\.`),
    );
    await expect(note.getByRole('link', { name: 'Stuck jobs' })).toHaveAttribute('href', '#/jobs?stuck=1');

    // The job's own drawer says its worker is lost, and what becomes of the job, with this drawer's Fail now.
    await opsdeck.open(`/jobs?job=${job}`);
    await expect(page.getByRole('dialog').getByRole('status').filter({ hasText: 'is lost' })).toContainText(
      new RegExp(`^worker ${holder} is lost \\(last heartbeat \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\S*, e2e-crashed-host pid 4343\\): nobody runs this job; stuck once its lease runs out, by \\S+ \\S+: then the Jobs page with "Stuck only" lists it and Fail now below fails it, or a live worker's watchdog takes it back`),
    );
    await page.keyboard.press('Escape');
    await opsdeck.open('/runners');

    const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
    await diagnostics.getByRole('button', { name: 'Run health check' }).click();
    const check = diagnostics.getByRole('list', { name: 'Health checks', exact: true }).getByRole('listitem').filter({ hasText: `worker:${id}` });
    await expect(check.locator('.badge')).toHaveText('warn');
    await expect(check).toContainText(/lost: last heartbeat \d+s ago \(e2e-retired-host, pid 4242\)/);
    await expect(check).toContainText(`its jobs were taken back and another worker serves: Forget beside ${id} on the Runners page`);
    await expect(diagnostics.getByRole('status', { name: 'Health checks' })).toContainText(/\d+ worth a look\./);
  } finally {
    if (job > 0) await opsdeck.call('jobs.fail', { id: job, reason: `e2e ${opsdeck.stamp}: its worker crashed`, force: true });
    await opsdeck.call('workers.forget', { id });
    await opsdeck.call('workers.forget', { id: holder });
  }
});

// Runbook 001's "check memory usage" and 004's "check CPU and memory usage", for a worker on any server:
// each heartbeat carries its RSS, heap and CPU.
test("the Workers table shows each worker's memory and CPU: the console's own engine's RSS, heap and CPU, a dash from one that said none", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const id = `e2e-older-${opsdeck.stamp}`;
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    // As a worker of a version before memory was reported: it beats without it.
    await store.registerWorker({ id, host: 'e2e-older-host', pid: 4343, version: '0.0.9', concurrency: 1, queues: null });
    await store.heartbeat(id, { inFlight: 0, state: 'stopped' });
  } finally {
    await store.close();
  }
  try {
    await opsdeck.open('/runners');
    const table = page.getByRole('table', { name: 'Workers' });
    await expect(table.getByRole('columnheader', { name: 'RSS' })).toBeVisible();
    const running = table.getByRole('row').filter({ has: page.getByText('running', { exact: true }) });
    await expect(running.first().locator('td[title^="Resident memory (RSS)"]')).toHaveText(/^\d+\.\d [MG]iB heap \d+\.\d [KMG]iB$/);
    await expect(table.getByRole('columnheader', { name: 'CPU' })).toBeVisible();
    await expect(running.first().locator('td[title^="CPU time the worker process spent"]')).toHaveText(/^\d+\.\d%$/);
    const older = table.getByRole('row').filter({ hasText: id });
    await expect(older.locator('td[title^="Not reported"]')).toHaveText(['-', '-']);
  } finally {
    await opsdeck.call('workers.forget', { id });
  }
});

// Runbook 000: the workers had API_TOKEN and got 401s; the console's own process did not have it.
test("Validate token says the check runs in the console's process, which lacks the variable, once; a service that sends no credential offers no validation", async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
  const row = (service: string) => diagnostics.getByRole('row').filter({ has: page.getByRole('rowheader', { name: service, exact: true }) });

  await row('e2e_auth').getByRole('button', { name: 'Validate token of e2e_auth' }).click();
  const result = row('e2e_auth').getByRole('status');
  await expect(result).toContainText("this check runs in the console's process, which lacks E2E_WORKER_TOKEN, so it cannot test the token the workers use");
  await expect(result.locator('.badge')).toHaveText('not tested');
  const text = (await result.textContent()) ?? '';
  expect(text.split('E2E_WORKER_TOKEN').length - 1, `named once: ${text}`).toBe(1);
  expect(text).not.toMatch(/not set|unknown/);

  await expect(row('e2e_upstream').getByRole('button', { name: 'Validate token of e2e_upstream' })).toHaveCount(0);
  await expect(row('e2e_upstream')).toContainText('No token to validate: e2e_upstream sends none (auth_type: none).');
});

test('after "Run health check" and then "Diagnose", the health checks are listed once: the newer report', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
  const lists = diagnostics.getByRole('list', { name: /health checks/i });

  await diagnostics.getByRole('button', { name: 'Run health check' }).click();
  await expect(diagnostics.getByRole('list', { name: 'Health checks', exact: true })).toContainText('store');
  await diagnostics.getByRole('button', { name: 'Diagnose' }).click();
  await expect(diagnostics.getByRole('region', { name: 'Diagnosis' })).toContainText(/opsdeck \d+\.\d+\.\d+/);
  await expect(diagnostics.getByRole('list', { name: 'Diagnosis health checks' })).toContainText('store');
  await expect(lists).toHaveCount(1);

  await diagnostics.getByRole('button', { name: 'Run health check' }).click();
  await expect(diagnostics.getByRole('list', { name: 'Health checks', exact: true })).toContainText('store');
  await expect(lists).toHaveCount(1);
  await expect(diagnostics.getByRole('region', { name: 'Diagnosis' })).toBeVisible();
});

// A fleet on one store where each worker says what it cannot run: the console's own engine lacks the
// variable e2e_auth's token is named by, another worker cannot reach its Docker daemon, a third never said,
// a fourth has not heard from its Docker probe yet.
test('the Runners page says per worker what it cannot run and why, names only; a worker that never said is not known', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const dockerless = `e2e-dockerless-${opsdeck.stamp}`;
  const older = `e2e-older-${opsdeck.stamp}`;
  // Its Docker probe has not answered yet: having found nothing so far is not "nothing".
  const halfway = `e2e-halfway-${opsdeck.stamp}`;
  const daemon = 'Docker daemon at /var/run/docker.sock not answering (ECONNREFUSED)';
  const cannotRun = {
    checked_at: new Date().toISOString(),
    services: [{ service: 'e2e_thumbs', execution_type: 'docker' as const, unset: [], docker: daemon, other: [], declined: true }],
  };
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  // All stay live while the page reads them: a worker beats every 2 s.
  const beat = async () => {
    await store.heartbeat(dockerless, { inFlight: 0, state: 'running', cannotRun });
    await store.heartbeat(older, { inFlight: 0, state: 'running' });
    await store.heartbeat(halfway, { inFlight: 0, state: 'running', cannotRun: { checked_at: new Date().toISOString(), services: [], probing: ['docker'] } });
  };
  let beating: NodeJS.Timeout | undefined;
  try {
    await store.registerWorker({ id: dockerless, host: 'e2e-no-docker-host', pid: 5151, version: '0.1.0', concurrency: 1, queues: [`e2e_nowhere_${opsdeck.stamp}`] });
    await store.registerWorker({ id: older, host: 'e2e-older-host', pid: 5252, version: '0.0.9', concurrency: 1, queues: [`e2e_nowhere_${opsdeck.stamp}`] });
    await store.registerWorker({ id: halfway, host: 'e2e-halfway-host', pid: 5353, version: '0.1.0', concurrency: 1, queues: [`e2e_nowhere_${opsdeck.stamp}`] });
    await beat();
    beating = setInterval(() => void beat(), 2000);

    await opsdeck.open('/runners');
    const workers = page.getByRole('table', { name: 'Workers' });
    const row = (id: string) => workers.getByRole('row').filter({ has: page.getByRole('rowheader', { name: id, exact: true }) });
    await expect(row(dockerless).getByRole('list', { name: `What ${dockerless} cannot run` })).toHaveText(`e2e_thumbs (not claimed there): ${daemon}`);
    await expect(row(older)).toContainText('not known');
    await expect(row(halfway)).toContainText('nothing so far (docker not checked yet)');
    // The console's own engine runs jobs here, without the variable the workers have: said by name, never a value.
    const engine = Workers.parse(await opsdeck.call('workers.list', {})).workers.find((w) => w.cannot_run !== null && w.cannot_run.services.some((s) => s.service === 'e2e_auth'));
    expect(engine, 'the console\'s engine says it lacks e2e_auth\'s variable').toBeDefined();
    await expect(row(engine?.id ?? '').getByRole('list', { name: `What ${engine?.id ?? ''} cannot run` })).toContainText(
      'e2e_auth (not claimed there): environment variable E2E_WORKER_TOKEN is not set',
    );

    // The runner kind's row says which worker lacks its daemon, beside this process's own probe.
    const runners = page.getByRole('table', { name: 'Runner kinds' });
    await expect(runners.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'docker', exact: true }) })).toContainText(
      `on worker ${dockerless}: e2e_thumbs (not claimed there): ${daemon}`,
    );
  } finally {
    clearInterval(beating);
    await store.heartbeat(dockerless, { inFlight: 0, state: 'stopped' });
    await store.heartbeat(older, { inFlight: 0, state: 'stopped' });
    await store.heartbeat(halfway, { inFlight: 0, state: 'stopped' });
    await store.close();
    await opsdeck.call('workers.forget', { id: dockerless });
    await opsdeck.call('workers.forget', { id: older });
    await opsdeck.call('workers.forget', { id: halfway });
  }
});
