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

test("in a narrow window each breaker's controls and its service's name stay on screen, the columns between them scrolling", async ({ opsdeck }) => {
  const { page } = opsdeck;
  await page.setViewportSize({ width: 1024, height: 768 });
  try {
    await opsdeck.open('/breakers');
    const table = page.getByRole('region', { name: 'Circuit breakers, scrollable' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_gate', exact: true }) });
    const controls = ['Force open e2e_gate', 'Force closed e2e_gate', 'Reset e2e_gate', 'Tune e2e_gate'].map((name) => row.getByRole('button', { name, exact: true }));
    const service = row.getByRole('rowheader', { name: 'e2e_gate', exact: true });
    for (const scrolled of [0, 10_000]) {
      // Down the page to the row, then across the table.
      await service.scrollIntoViewIfNeeded();
      await table.evaluate((region, left) => region.scrollTo({ left }), scrolled);
      for (const control of controls) await expect(control, `scrolled to ${scrolled}`).toBeInViewport({ ratio: 1 });
      await expect(service, `scrolled to ${scrolled}`).toBeInViewport({ ratio: 1 });
    }
    // The columns between still scroll into view: the last error's header among them.
    await expect(table.getByRole('columnheader', { name: 'Last error' })).toBeInViewport({ ratio: 1 });
    // A control between them that takes focus is scrolled out from under the sticky ends, so what has
    // focus is what is seen, and what a click there would reach.
    for (const scrolled of [0, 10_000]) {
      await table.evaluate((region, left) => region.scrollTo({ left }), scrolled);
      const change = row.getByRole('button', { name: 'Change the rate limit of e2e_gate', exact: true });
      await change.focus();
      await expect(change).toBeFocused();
      const onTop = await change.evaluate((button) => {
        const box = button.getBoundingClientRect();
        return button.ownerDocument.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2) === button;
      });
      expect(onTop, `focused with the table scrolled to ${scrolled}: under a sticky column`).toBe(true);
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});

test('at 1280 px and wider the page links keep to one row, the dead letters badge showing two digits', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `nav-row-${opsdeck.stamp}`;
  for (let i = 0; i < 10; i++) await opsdeck.enqueue('e2e_reject', { identifier: `${identifier}-${i}` });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', unresolved: true })).length).toBeGreaterThanOrEqual(10);
  try {
    for (const width of [1280, 1400, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await opsdeck.open('/');
      const nav = page.getByRole('navigation', { name: 'Pages' });
      await expect(nav.getByRole('link', { name: /^Dead letters \d{2,}/ })).toBeVisible();
      const tops = await Promise.all((await nav.getByRole('link').all()).map(async (link) => (await link.boundingBox())?.y ?? -1));
      expect(new Set(tops).size, `at ${width}px the links sit at ${[...new Set(tops)].join(', ')}`).toBe(1);
      await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeInViewport({ ratio: 1 });
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});
