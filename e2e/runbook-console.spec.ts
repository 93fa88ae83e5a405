import { z } from 'zod';
import { expect, test } from './fixtures.ts';

const AuditPage = z.object({ entries: z.array(z.object({ action: z.string(), target: z.string().nullable() })) });

test('a running job shows its start and how long it has run; Fail now ends it, forced past its live worker, audited', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `long-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_sleeper', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['running'] })).some((j) => j.id === id)).toBe(true);

  await opsdeck.open(`/jobs?service=e2e_sleeper&status=running`);
  const table = page.getByRole('table', { name: 'Jobs' });
  await expect(table.getByRole('columnheader', { name: 'Started', exact: true })).toBeVisible();
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier, exact: true }) });
  await expect(row).toContainText(/running \d+s/);
  // The start time is in the operator's zone, with the same moment in UTC on hover.
  await expect(row.locator('time').first()).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  await row.getByRole('button', { name: String(id), exact: true }).click();
  const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
  await drawer.getByRole('button', { name: 'Fail now' }).click();
  const confirm = page.getByRole('dialog', { name: `Fail job ${identifier} now` });
  await expect(confirm.getByRole('button', { name: 'Fail now' })).toBeDisabled();
  await confirm.getByLabel(/^Reason/).fill('worker host was terminated');
  await confirm.getByRole('button', { name: 'Fail now' }).click();
  // The console's own worker still holds it: refused until forced.
  await expect(confirm.getByRole('alert')).toContainText(/live worker|force/i);
  expect((await opsdeck.jobs({ service: 'e2e_sleeper' })).find((j) => j.id === id)?.status).toBe('running');
  await confirm.getByRole('checkbox', { name: /Force/ }).check();
  await confirm.getByRole('button', { name: 'Fail now' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(drawer.getByText('failed', { exact: true }).first()).toBeVisible();
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper' })).find((j) => j.id === id)?.status).toBe('failed');
  await opsdeck.screenshot('job-fail-now');
  await page.keyboard.press('Escape');

  // Found again by its failure class, from the Jobs page's filter.
  await opsdeck.open('/jobs?service=e2e_sleeper');
  await page.getByRole('form', { name: 'Job filters' }).getByLabel('Failure class').selectOption('operator');
  await expect(page).toHaveURL(/class=operator/);
  await expect(table.getByRole('rowheader', { name: identifier, exact: true })).toBeVisible();
  await page.getByRole('form', { name: 'Job filters' }).getByLabel('Failure class').selectOption('resource_limit');
  await expect(page.getByText('No jobs match these filters.')).toBeVisible();

  const audit = AuditPage.parse(await opsdeck.call('audit.list', { action: 'job.fail', limit: 50 }));
  expect(audit.entries.some((e) => e.target === String(id))).toBe(true);
});

test('tune a breaker for every worker, see it beside the registry, and go back to the registry', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/breakers');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_quick', exact: true }) });
  await row.getByRole('button', { name: 'Tune e2e_quick' }).click();
  const dialog = page.getByRole('dialog', { name: 'Tune the e2e_quick breaker' });
  const threshold = dialog.getByLabel(/^Failure threshold/);
  await expect(threshold).toHaveValue('5');
  await expect(dialog.getByLabel(/^Recovery timeout \(seconds open before a probe \(the runbooks' reset_timeout\)/)).toBeVisible();
  await threshold.fill('0');
  await expect(dialog.getByRole('alert')).toHaveText('Failure threshold must be a whole number, 1 or more');
  await expect(dialog.getByRole('button', { name: 'Save for every worker' })).toBeDisabled();
  await threshold.fill('12');
  await dialog.getByLabel(/^Reason/).fill('upstream migration');
  await dialog.getByRole('button', { name: 'Save for every worker' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('/ 12');
  await expect(row).toContainText('tuned');
  await expect(row).toContainText('registry: threshold 5');
  await opsdeck.screenshot('breaker-tuned');

  await row.getByRole('button', { name: 'Tune e2e_quick' }).click();
  await dialog.getByRole('button', { name: "Back to the registry's settings" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('/ 5');
  await expect(row).not.toContainText('tuned');
  const audit = AuditPage.parse(await opsdeck.call('audit.list', { action: 'breaker.tune', limit: 50 }));
  expect(audit.entries.filter((e) => e.target === 'e2e_quick').length).toBeGreaterThanOrEqual(2);
});

test("reduce a service's budget for every worker (the runbooks' worker budgets): set it, halve it, go back to the registry", async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/breakers');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_budget', exact: true }) });
  await row.getByRole('button', { name: 'Change the rate limit of e2e_budget' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rate limit of e2e_budget' });
  await expect(dialog).toContainText('Registry: none.');
  await expect(dialog.getByRole('button', { name: 'Halve it' })).toBeDisabled();
  await dialog.getByLabel(/^Limit/).fill('3');
  await expect(dialog.getByRole('alert')).toHaveText('e2e_budget has no rate limit yet: give its period (per) with the limit, e.g. 3 per 1m');
  await dialog.getByLabel(/^Period/).fill('1m');
  await dialog.getByLabel(/^Reason/).fill('upstream answers 429');
  await dialog.getByRole('button', { name: 'Save for every worker' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('0 / 3 per 1m');
  await expect(row).toContainText('tuned');
  await expect(row).toContainText('registry: none');

  await row.getByRole('button', { name: 'Change the rate limit of e2e_budget' }).click();
  await dialog.getByRole('button', { name: 'Halve it' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('0 / 2 per 1m');
  const listed = z.object({ services: z.array(z.object({ service_name: z.string(), limit: z.number().nullable() })) }).parse(await opsdeck.call('rateLimits.list', {}));
  expect(listed.services.find((s) => s.service_name === 'e2e_budget')?.limit).toBe(2);
  await opsdeck.screenshot('rate-limit-tuned');

  await row.getByRole('button', { name: 'Change the rate limit of e2e_budget' }).click();
  await dialog.getByRole('button', { name: "Back to the registry's settings" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).not.toContainText('tuned');
  await expect(row).not.toContainText('per 1m');
  const audit = AuditPage.parse(await opsdeck.call('audit.list', { action: 'rate_limit.tune', limit: 50 }));
  expect(audit.entries.filter((e) => e.target === 'e2e_budget').length).toBe(3);
});

test("the runbook's first diagnoses are one click: health check, test connectivity and validate token; validate a registry without loading it", async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
  await diagnostics.getByRole('button', { name: 'Run health check' }).click();
  const checks = diagnostics.getByRole('list', { name: 'Health checks' });
  await expect(checks).toContainText('store');
  await expect(checks).toContainText('scheduler');

  // Other tests' jobs of e2e_upstream fail: its breaker starts closed here, so the evidence has one state to show.
  await opsdeck.call('breakers.setMode', { service: 'e2e_upstream', mode: 'reset', reason: 'runbook check from a closed breaker' });
  const row = diagnostics.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_upstream', exact: true }) });
  await row.getByRole('button', { name: 'Test connectivity of e2e_upstream' }).click();
  const steps = row.getByRole('list', { name: /Connectivity of e2e_upstream/ });
  await expect(steps).toContainText('dns');
  await expect(steps).toContainText('tcp');
  await expect(steps).toContainText('http');
  await expect(row).toContainText(/GET http:\/\/127\.0\.0\.1:\d+\/ \(the jobs' POST \/work was not tried: it could do work upstream\), each step waiting at most 5s \(the service's\)/);
  // Its jobs POST, which the check does not send: what the store says of them is shown beside its answer.
  await expect(row.getByRole('list', { name: 'Evidence of e2e_upstream' })).toContainText(/breaker: closed( since [^;]+)?; no failure counted since it was last reset/);
  const authRow = diagnostics.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_auth', exact: true }) });
  await authRow.getByRole('button', { name: 'Validate token of e2e_auth' }).click();
  await expect(authRow.getByRole('status')).toBeVisible();

  await opsdeck.open('/settings');
  const registry = page.getByRole('region', { name: 'Service registry' });
  // The field takes the loaded registry's path once the page has read it: read it only then.
  await expect(registry.getByLabel('Registry file')).toHaveValue(/registry\.yaml$/);
  const loaded = await registry.getByLabel('Registry file').inputValue();
  await registry.getByLabel('Registry file').fill('/nonexistent/registry.yaml');
  await registry.getByRole('button', { name: 'Validate' }).click();
  await expect(registry.getByRole('alert').or(registry.getByRole('status')).first()).toContainText(/nonexistent|not found|cannot read|no such/i);
  await registry.getByLabel('Registry file').fill(loaded);
  await registry.getByRole('button', { name: 'Validate' }).click();
  await expect(registry.getByRole('status').filter({ hasText: 'Valid:' })).toContainText('nothing was loaded');
});
