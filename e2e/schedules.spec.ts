import { z } from 'zod';
import { expect, test } from './fixtures.ts';

const Job = z.object({ job: z.object({ identifier: z.string(), payload: z.unknown() }) });

test('Schedules: a registry schedule beside an added one, its fires and their jobs, pause, run now, the emergency stop, history, remove', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e_every2s_${opsdeck.stamp}`;
  await opsdeck.open('/schedules');
  await expect(page.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Schedules' });

  // The registry's schedule: shown with its source, its next fire in its zone and the viewer's, and no Remove.
  const nightly = table.getByRole('row').filter({ hasText: 'e2e_nightly' });
  await expect(nightly).toContainText('registry');
  await expect(nightly).toContainText('30 2 * * *');
  await expect(nightly).toContainText('Europe/Berlin');
  await expect(nightly).toContainText(/02:30:00\+0[12]:00/);
  await expect(nightly.getByRole('button', { name: 'Remove schedule e2e_nightly' })).toHaveCount(0);
  await expect(nightly.getByRole('button', { name: 'Pause schedule e2e_nightly' })).toBeVisible();

  // A bad cron is refused with the reason, at the field, as the CLI and REST say it.
  const form = page.getByRole('form', { name: 'Add a schedule' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Service').selectOption('e2e_scheduled');
  await form.getByLabel('Cron').fill('*/2 * * * * 99');
  await form.getByLabel('Time zone').fill('America/New_York');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(form.getByLabel('Cron')).toHaveAccessibleDescription("day-of-week '99' is not a day (MON..SUN or 0..7)");

  // Every two seconds, in New York's time, with a payload for each job.
  await form.getByLabel('Cron').fill('*/2 * * * * *');
  await form.getByLabel('Payload (JSON, optional)').fill('{"from": "e2e"');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('The payload is not JSON');
  await form.getByLabel('Payload (JSON, optional)').fill('{"from": "e2e"}');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('operator');
  await expect(row).toContainText('America/New_York');
  await expect(row).toContainText('active');

  // The engine fires it: the last fire links to its job, whose trace names the schedule and the fire time.
  const jobLink = row.getByRole('link', { name: new RegExp(`^job \\d+ of ${name}$`) });
  await expect(jobLink).toBeVisible();
  await opsdeck.screenshot('schedules');
  const jobId = Number((await jobLink.getAttribute('href'))?.match(/job=(\d+)/)?.[1]);
  const made = Job.parse(await opsdeck.call('jobs.get', { id: jobId })).job;
  expect(made.payload).toEqual({ from: 'e2e' });
  expect(made.identifier).toMatch(new RegExp(`^schedule:${name}:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d[02468]\\.000Z$`));
  await jobLink.click();
  await expect(page.getByRole('dialog')).toContainText(`schedule:${name}:`);
  await page.keyboard.press('Escape');
  await opsdeck.open('/schedules');

  // Paused, it has no next fire; resumed, it has one again.
  await row.getByRole('button', { name: `Pause schedule ${name}` }).click();
  await expect(row).toContainText('paused');
  await row.getByRole('button', { name: `Resume schedule ${name}` }).click();
  await expect(row).toContainText('active');

  // Run now makes a job at once.
  await row.getByRole('button', { name: `Run now: schedule ${name}` }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(new RegExp(`Schedule ${name}: job \\d+ enqueued`));

  // While the emergency stop holds, fires are recorded skipped, and the page says so.
  try {
    await opsdeck.call('control.emergencyStop', { reason: 'schedules spec' });
    await expect(page.getByRole('status').filter({ hasText: 'Emergency stop engaged: schedules fire nothing' })).toBeVisible();
    await expect(row).toContainText('skipped: emergency stop engaged');
  } finally {
    await opsdeck.call('control.resume', {});
  }
  await expect(page.getByRole('status').filter({ hasText: 'Emergency stop engaged: schedules fire nothing' })).toHaveCount(0);

  // The fire history: jobs made, the run-now, the skipped fires, who fired each.
  await row.getByRole('link', { name: `${name} fire history` }).click();
  const history = page.getByRole('table', { name: `Fires of ${name}` });
  await expect(history).toContainText('(run now)');
  await expect(history).toContainText('skipped: emergency stop engaged');
  await expect(history.getByRole('link', { name: new RegExp(`^job \\d+ of ${name}$`) }).first()).toBeVisible();
  await opsdeck.screenshot('schedules-history');
  await page.getByRole('button', { name: 'Close history' }).click();
  await expect(history).toHaveCount(0);

  // A schedule may start a workflow: run now starts a run, linked to its graph on the Workflows page.
  const flowName = `e2e_flow_sched_${opsdeck.stamp}`;
  await form.getByLabel('Name').fill(flowName);
  await form.getByLabel('Service or workflow').selectOption('workflow e2e_sched_flow');
  await form.getByLabel('Cron').fill('@yearly');
  await form.getByLabel('Payload (JSON, optional)').fill('{"region": "eu"}');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  const flowRow = table.getByRole('row').filter({ hasText: flowName });
  await expect(flowRow).toContainText('workflow e2e_sched_flow');
  await flowRow.getByRole('button', { name: `Run now: schedule ${flowName}` }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(new RegExp(`Schedule ${flowName}: run \\d+ started`));
  const runLink = flowRow.getByRole('link', { name: new RegExp(`^run \\d+ of ${flowName}$`) });
  await expect(runLink).toBeVisible();
  const runId = Number((await runLink.getAttribute('href'))?.match(/run=(\d+)/)?.[1]);
  const started = z.object({ run: z.object({ identifier: z.string(), payload: z.unknown() }) }).parse(await opsdeck.call('workflows.show', { run: runId })).run;
  expect(started.payload).toEqual({ region: 'eu' });
  expect(started.identifier).toMatch(new RegExp(`^schedule:${flowName}:run-now:`));
  await runLink.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();
  await expect(page.getByText(started.identifier).first()).toBeVisible();
  await opsdeck.open('/schedules');
  await flowRow.getByRole('button', { name: `Remove schedule ${flowName}` }).click();
  await flowRow.getByRole('button', { name: `Confirm remove: schedule ${flowName}` }).click();
  await expect(table.getByRole('row').filter({ hasText: flowName })).toHaveCount(0);

  // Removed with a confirming second click; every action is in the audit log.
  await row.getByRole('button', { name: `Remove schedule ${name}` }).click();
  await row.getByRole('button', { name: `Confirm remove: schedule ${name}` }).click();
  await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(0);
  const audit = z.object({ entries: z.array(z.object({ action: z.string(), target: z.string().nullable() })) }).parse(await opsdeck.call('audit.list', { limit: 100 }));
  const mine = audit.entries.filter((e) => e.target === name).map((e) => e.action);
  for (const action of ['schedule.add', 'schedule.pause', 'schedule.resume', 'schedule.run_now', 'schedule.remove']) expect(mine).toContain(action);
});
