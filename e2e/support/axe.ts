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

/** Runs axe on the page as it is now and returns its serious and critical violations, labelled with `where`. */
export async function blockingFindings(page: Page, where: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
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
export async function findingsInBothThemes(page: Page, where: string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    found.push(...(await blockingFindings(page, `${where} [${theme}]`)));
  }
  return found;
}

export function report(findings: Finding[]): string {
  return findings.map((f) => `${f.where}: ${f.rule} (${f.impact}, ${f.nodes}) ${f.example}`).join('\n');
}
