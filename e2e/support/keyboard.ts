import { expect, type Locator, type Page } from '@playwright/test';
import { z } from 'zod';

/** Counts pointer presses from the start of the page: keyboard activation fires `click`, never these. */
const COUNT_POINTER_PRESSES = `
  window.__pointerPresses = 0;
  for (const type of ['pointerdown', 'mousedown', 'touchstart']) {
    window.addEventListener(type, (event) => { if (event.isTrusted) window.__pointerPresses += 1; }, true);
  }
`;

export async function countPointerPresses(page: Page): Promise<void> {
  await page.addInitScript({ content: COUNT_POINTER_PRESSES });
}

export async function pointerPresses(page: Page): Promise<number> {
  return Number(await page.evaluate('window.__pointerPresses'));
}

/** What has the focus, and the outline the page draws around it. */
const FOCUS_RING = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { html: 'nothing', style: 'none', width: 0 };
  const style = getComputedStyle(el);
  return { html: el.outerHTML.slice(0, 200), style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0 };
})()`;

/** The focused element shows a ring: a solid outline of 2px or more, drawn by our styles, not left to chance. */
export async function expectFocusVisible(page: Page): Promise<void> {
  const ring = z.object({ html: z.string(), style: z.string(), width: z.number() }).parse(await page.evaluate(FOCUS_RING));
  expect(ring.html, 'something has the focus').not.toBe('nothing');
  expect(`${ring.style} ${ring.width >= 2 ? 'wide' : 'thin'}`, `the focus ring of ${ring.html}`).toBe('solid wide');
}

async function hasFocus(target: Locator): Promise<boolean> {
  if ((await target.count()) !== 1) return false;
  return target.evaluate((el) => el === el.ownerDocument.activeElement);
}

/**
 * Presses Tab (Shift+Tab with `back`) until `target` has the focus, as an operator without a mouse would,
 * checking at every stop on the way that the focus can be seen.
 */
export async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    // Past the page's last stop (or before its first) the focus leaves for the browser's own controls and
    // the document holds none: a wrap, not a stop without its ring.
    if (await page.evaluate('document.activeElement === document.body')) continue;
    await expectFocusVisible(page);
    if (await hasFocus(target)) return;
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${target.toString()}`);
}
