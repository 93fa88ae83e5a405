import { expect, test } from './fixtures.ts';

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
  await expect(cron).toHaveAccessibleDescription("cron '61 * * * *' is not valid: Invalid value for minute: 61");
  await expect(cron).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toHaveText("cron '61 * * * *' is not valid: Invalid value for minute: 61");
  await expect(notices).toHaveCount(0);
  // Edited, the field's problem goes: it was about what was sent.
  await cron.fill('0 * * * *');
  await expect(form.getByRole('alert')).toHaveCount(0);

  await zone.fill('Mars/Olympus_Mons');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  await expect(zone).toHaveAccessibleDescription('must be an IANA time zone such as UTC, Europe/Berlin or America/New_York');
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
