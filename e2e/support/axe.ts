import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The WCAG 2.2 level AA rule set (2.0, 2.1 and 2.2 tags, levels A and AA). */
export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const BLOCKING = new Set(['serious', 'critical']);

export interface Finding {
  where: string;
  rule: string;
  impact: string;
  nodes: number;
  example: string;
}

/**
 * Runs axe on the page as it is now and returns its serious and critical violations, labelled with
 * `where`. `scope` narrows the run to what a state adds (a dialog, a notice) when the page under it was
 * checked on its own already.
 */
export async function blockingFindings(page: Page, where: string, scope?: string[]): Promise<Finding[]> {
  // Legacy mode runs axe in the page itself, without the blank page the default opens per run: half the
  // time, and the console has no cross-origin frames that would need the other way.
  let builder = new AxeBuilder({ page }).withTags(WCAG_22_AA).setLegacyMode(true);
  for (const selector of scope ?? []) builder = builder.include(selector);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact !== undefined && v.impact !== null && BLOCKING.has(v.impact))
    .map((v) => ({
      where,
      rule: v.id,
      impact: v.impact ?? '',
      nodes: v.nodes.length,
      example: `${v.nodes[0]?.target.join(' ') ?? ''}: ${(v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ')}`,
    }));
}

/** The same check in each theme, as the operating system would ask for it. */
export async function findingsInBothThemes(page: Page, where: string, scope?: string[]): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    found.push(...(await blockingFindings(page, `${where} [${theme}]`, scope)));
  }
  return found;
}

export function report(findings: Finding[]): string {
  return findings.map((f) => `${f.where}: ${f.rule} (${f.impact}, ${f.nodes}) ${f.example}`).join('\n');
}
