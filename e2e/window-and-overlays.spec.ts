import { expect, test } from './fixtures.ts';

test('scrolled past its end, a page never scrolls the window: the page links and the emergency stop stay on screen', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    // Pages longer than the window, with tables whose captions are said to screen readers, not shown.
    for (const [route, last] of [
      ['/', page.getByRole('region', { name: 'Jobs per queue and status, scrollable' })],
      ['/runners', page.getByRole('heading', { name: 'Diagnostics' })],
    ] as const) {
      await opsdeck.open(route);
      await expect(last).toBeVisible();
      await page.mouse.move(500, 400);
      for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 600);
      await expect.poll(() => page.locator('main').evaluate((main) => main.scrollTop), { message: `${route} scrolls` }).toBeGreaterThan(0);
      await expect(last).toBeInViewport();
      const windowScroll = await page.locator('html').evaluate((html) => ({ scrolled: html.scrollTop, room: html.scrollHeight - html.clientHeight }));
      expect(windowScroll.scrolled, `the window under ${route} scrolled`).toBe(0);
      expect(windowScroll.room, `the window under ${route} has room to scroll`).toBeLessThanOrEqual(0);
      await expect(page.getByRole('navigation', { name: 'Pages' })).toBeInViewport({ ratio: 1 });
      await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeInViewport({ ratio: 1 });
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});
