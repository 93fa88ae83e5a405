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

test("a job's drawer opens below the top bar: its Close button is not under the emergency stop, at any width", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `drawer-close-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_quick', { identifier });
  try {
    for (const width of [1440, 1280, 1024]) {
      await page.setViewportSize({ width, height: 800 });
      await opsdeck.open(`/jobs?job=${id}`);
      const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
      await expect(drawer).toBeVisible();
      const stop = page.getByRole('button', { name: 'Emergency stop', exact: true });
      await expect(stop).toBeInViewport({ ratio: 1 });
      // A click, as a mouse makes it: refused while anything else (the stop's menu) lies over the button.
      await drawer.getByRole('button', { name: 'Close dialog' }).click({ timeout: 5_000 });
      await expect(drawer, `the drawer at ${width}px closes by its button`).toHaveCount(0);
      await expect(page.getByRole('dialog')).toHaveCount(0);
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});
