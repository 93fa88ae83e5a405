import { z } from 'zod';
import { expect, test } from './fixtures.ts';

const Names = z.object({ schedules: z.array(z.object({ name: z.string() })) });

test('the schedule form checks the cron and the zone as they are typed: the problem at its field, or the next fires, before Add makes anything', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e_live_${opsdeck.stamp}`;
  await opsdeck.open('/schedules');
  const form = page.getByRole('form', { name: 'Add a schedule' });
  const notices = page.getByRole('region', { name: 'Notifications' });
  const cron = form.getByLabel('Cron');
  const zone = form.getByLabel('Time zone');
  const fires = form.getByRole('status');

  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Service').selectOption('e2e_scheduled');
  await zone.fill('Asia/Kathmandu');
  await cron.fill('*/5 * * *');
  await expect(cron).toHaveAccessibleDescription('cron needs 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 4: */5 * * *');
  await expect(cron).toHaveAttribute('aria-invalid', 'true');
  await expect(fires).toHaveCount(0);
  // The problem under its field moves no field: every field and Add stay level with the others.
  const tops = await Promise.all([form.getByLabel('Name'), form.getByLabel('Service'), cron, zone, form.getByRole('button', { name: 'Add schedule' })].map(async (field) => (await field.boundingBox())?.y));
  for (const top of tops) expect(top, 'level with the Name field').toBeCloseTo(tops[0] ?? NaN, 0);

  await cron.fill('0 9 * * MON-FRY');
  await expect(cron).toHaveAccessibleDescription("day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)");
  await zone.fill('Asia/Kathmandoo');
  await expect(zone).toHaveAccessibleDescription("'Asia/Kathmandoo' is not a time zone: did you mean Asia/Kathmandu?");

  // Both right: no problem, and the next three fires in the schedule's zone (Kathmandu is +05:45), with the viewer's beside.
  await zone.fill('Asia/Kathmandu');
  await cron.fill('0 9 * * MON-FRI');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(cron).not.toHaveAttribute('aria-invalid');
  await expect(fires).toContainText('Fires next:');
  await expect(fires.getByText(/ 09:00:00\+05:45$/)).toHaveCount(3);
  await expect(cron).toHaveAccessibleDescription(/^Fires next: .* 09:00:00\+05:45/);

  // Checking added nothing, and said nothing in a notice.
  await expect(notices).toHaveCount(0);
  const before = Names.parse(await opsdeck.call('schedules.list', {}));
  expect(before.schedules.map((s) => s.name)).not.toContain(name);

  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(notices).toContainText(`Schedule ${name} added.`);
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Asia/Kathmandu');
  await opsdeck.call('schedules.remove', { name });
});

test('the schedule form says what is wrong once, at the field, without the call name; an empty time zone is UTC', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e_form_${opsdeck.stamp}`;
  await opsdeck.open('/schedules');
  const form = page.getByRole('form', { name: 'Add a schedule' });
  const notices = page.getByRole('region', { name: 'Notifications' });
  const cron = form.getByLabel('Cron');
  const zone = form.getByLabel('Time zone');

  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Service').selectOption('e2e_scheduled');
  await cron.fill('61 * * * *');
  await zone.fill('UTC');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(cron).toHaveAccessibleDescription("minute '61' is not a minute (0..59)");
  await expect(cron).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toHaveText("minute '61' is not a minute (0..59)");
  await expect(notices).toHaveCount(0);
  // Edited, the field's problem goes: it was about what was sent.
  await cron.fill('0 * * * *');
  await expect(form.getByRole('alert')).toHaveCount(0);

  await zone.fill('Mars/Olympus_Mons');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(zone).toHaveAccessibleDescription("'Mars/Olympus_Mons' is not a time zone: use an IANA name such as UTC, Europe/Berlin or America/New_York");
  await expect(notices).toHaveCount(0);

  // Empty says UTC, and is UTC.
  await zone.fill('');
  await expect(zone).toHaveAttribute('placeholder', 'empty: UTC');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('UTC');
  await expect(notices).toContainText(`Schedule ${name} added.`);
  await expect(page.getByText('invalid input for')).toHaveCount(0);
  await opsdeck.call('schedules.remove', { name });
});

test("a service schedule's payload is a job's, a JSON object: anything else is refused in a notice naming it, and nothing is added", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e_payload_${opsdeck.stamp}`;
  await opsdeck.open('/schedules');
  const form = page.getByRole('form', { name: 'Add a schedule' });
  const notices = page.getByRole('region', { name: 'Notifications' });
  const payload = form.getByLabel('Payload (JSON, optional)');

  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Service').selectOption('e2e_scheduled');
  await form.getByLabel('Cron').fill('@daily');
  await payload.fill('["--full"]');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(notices).toContainText('payload: must be a JSON object, such as {"date": "2026-12-04"}, not an array');
  await expect(page.getByText('invalid input for')).toHaveCount(0);
  expect(Names.parse(await opsdeck.call('schedules.list', {})).schedules.map((s) => s.name)).not.toContain(name);

  await payload.fill('{"note": "nightly"}');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(notices).toContainText(`Schedule ${name} added.`);
  await opsdeck.call('schedules.remove', { name });
});
