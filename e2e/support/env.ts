/** What the global setup shares with the specs, through the environment Playwright's workers inherit. */
export const ENV = {
  url: 'OPSDECK_E2E_URL',
  registry: 'OPSDECK_E2E_REGISTRY',
  upstreamPort: 'OPSDECK_E2E_UPSTREAM_PORT',
  dir: 'OPSDECK_E2E_DIR',
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through playwright.config.ts, whose global setup starts opsdeck`);
  return value;
}
