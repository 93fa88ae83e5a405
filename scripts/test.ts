/**
 * `npm test`: the unit and integration suites (node:test, real SQLite and PostgreSQL), then the
 * end-to-end specs (Playwright in Debian Chromium against `opsdeck serve`). Both always run, so one
 * failing half does not hide the other; the exit code is non-zero when either failed.
 */
import { spawnSync } from 'node:child_process';

const suites: Array<{ name: string; command: string; args: string[] }> = [
  {
    name: 'unit and integration',
    command: process.execPath,
    args: [
      '--test',
      '--test-concurrency=4',
      '--test-timeout=180000',
      'shared/**/*.test.ts',
      'electron/**/*.test.ts',
      'renderer/**/*.test.ts',
      'build/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
  },
  { name: 'end-to-end', command: process.execPath, args: ['node_modules/@playwright/test/cli.js', 'test'] },
];

const only = process.argv[2];
let failed = 0;
for (const suite of suites) {
  if (only && !suite.name.startsWith(only)) continue;
  console.log(`\n=== ${suite.name} ===`);
  const result = spawnSync(suite.command, suite.args, { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.log(`=== ${suite.name}: FAILED (exit ${result.status ?? result.signal}) ===`);
  }
}
process.exit(failed === 0 ? 0 : 1);
