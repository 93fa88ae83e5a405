import { expect, test } from './fixtures.ts';

test('Settings says where this console logs: the desktop opens its folder, the browser host points to its terminal', async ({ opsdeck, host }) => {
  const { page } = opsdeck;
  await opsdeck.open('/settings');
  const logs = page.getByRole('region', { name: 'Logs' });
  await expect(logs).toContainText('OPSDECK_LOG_LEVEL');
  const open = logs.getByRole('button', { name: 'Open log folder' });
  if (host === 'electron') {
    await expect(logs).toContainText(/opsdeck\.log/);
    await expect(open).toBeVisible();
  } else {
    await expect(logs).toContainText('writes its log to the terminal it was started from');
    await expect(open).toHaveCount(0);
  }
});
