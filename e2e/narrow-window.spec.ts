import { expect, test } from './fixtures.ts';

test('in a narrow window every page link and the emergency stop stay on screen: the links wrap, none scrolls away', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const width = 1024;
  await page.setViewportSize({ width, height: 768 });
  await opsdeck.open('/');
  const links = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
  expect(await links.count()).toBeGreaterThan(8);
  for (const link of await links.all()) {
    await expect(link).toBeInViewport({ ratio: 1 });
    const box = await link.boundingBox();
    expect(box, await link.innerText()).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
  }
  await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeInViewport({ ratio: 1 });
  await page.setViewportSize({ width: 1440, height: 900 });
});
