import type { Page } from '@playwright/test';

/**
 * Records, from the start of the page (add it, then load the page), every text a screen reader would be handed unasked: each change
 * inside a live region (aria-live, or the roles alert, status and log), and each live region inserted
 * with text already in it. One entry per region per batch of DOM changes.
 */
const RECORD_ANNOUNCEMENTS = `
  window.__announced = [];
  const LIVE = '[aria-live="polite"], [aria-live="assertive"], [role="alert"], [role="status"], [role="log"]';
  const record = (region) => {
    const text = (region.textContent || '').replace(/\\s+/g, ' ').trim();
    if (text) window.__announced.push(text);
  };
  new MutationObserver((mutations) => {
    const regions = new Set();
    for (const m of mutations) {
      const node = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      const inside = node && node.closest(LIVE);
      if (inside) regions.add(inside);
      for (const added of m.addedNodes) {
        if (added.nodeType !== 1) continue;
        if (added.matches(LIVE)) regions.add(added);
        for (const region of added.querySelectorAll(LIVE)) regions.add(region);
      }
    }
    for (const region of regions) record(region);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

export async function recordAnnouncements(page: Page): Promise<void> {
  await page.addInitScript({ content: RECORD_ANNOUNCEMENTS });
}

export async function announcements(page: Page): Promise<string[]> {
  const value: unknown = await page.evaluate('window.__announced');
  return Array.isArray(value) ? value.map(String) : [];
}

/** How many recorded announcements contain `text`. */
export async function timesAnnounced(page: Page, text: string): Promise<number> {
  return (await announcements(page)).filter((entry) => entry.includes(text)).length;
}
