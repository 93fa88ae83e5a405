import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layersRule } from './scripts/lint/layers.js';

/**
 * The layers of docs/ARCHITECTURE.md, checked at any depth by scripts/lint/layers.js: each folder lists
 * what it may import besides itself, so an import of ours that is not listed is an error, whether it
 * is static or dynamic, in a test or not. shared ← store ← runners ← config ← engine ← api ← hosts;
 * the renderer imports only shared/.
 */
const HEADLESS = 'the engine runs headless: it never reaches up into the API or a host.';
const HOST = 'a host imports api/ and below; hosts meet only through a seam named in eslint.config.js.';
const BELOW_API = ['shared', 'electron/store', 'electron/runners', 'electron/config', 'electron/log', 'electron/engine', 'package.json'];
const BELOW_HOSTS = [...BELOW_API, 'electron/api', 'electron/console', 'electron/rest', 'electron/metrics'];

const layers = [
  { folder: 'shared', may: [], message: 'shared/ is pure: nothing of ours above it.' },
  { folder: 'electron/store', may: ['shared'], message: 'the store imports only shared/.' },
  { folder: 'electron/runners', may: ['shared', 'electron/store', 'package.json'], message: HEADLESS },
  { folder: 'electron/config', may: ['shared', 'electron/store', 'electron/runners'], message: HEADLESS },
  { folder: 'electron/log', may: ['shared', 'electron/store', 'electron/runners', 'electron/config'], message: 'electron/log/ is the one logger: the engine and every host use it, so it imports nothing above config/.' },
  { folder: 'electron/engine', may: ['shared', 'electron/store', 'electron/runners', 'electron/config', 'electron/log', 'package.json'], message: HEADLESS },
  { folder: 'electron/api', may: BELOW_API, message: 'handlers know no host.' },
  { folder: 'electron/console', may: ['shared'], message: 'electron/console/ is what both hosts share: it imports only shared/.' },
  { folder: 'electron/rest', may: [...BELOW_API, 'electron/api'], message: 'electron/rest/ is the REST API both HTTP hosts serve: it imports api/ and below, never a host.' },
  { folder: 'electron/metrics', may: BELOW_API.concat('electron/api'), message: 'electron/metrics/ reads the engine and the store for Prometheus: it imports api/ and below, never a host.' },
  { folder: 'electron/main', may: BELOW_HOSTS, message: HOST },
  { folder: 'electron/server', may: BELOW_HOSTS, message: HOST },
  { folder: 'electron/cli', may: BELOW_HOSTS, message: HOST },
  { folder: 'renderer', may: ['shared'], message: 'the renderer talks only through shared/.' },
];

/** The only places one host reaches into another, each for a reason. */
const seams = [
  { from: ['electron/cli'], to: ['electron/server/serve.ts'], why: '`opsdeck serve` is the CLI starting the browser host.' },
  {
    from: ['electron/server/hosts.test.ts'],
    to: ['electron/main/appUrl.ts', 'electron/main/ipc.ts', 'electron/main/testing/fakeIpcMain.ts'],
    why: 'the one test that drives every contract call through both hosts side by side.',
  },
];

const electronModule = { name: 'electron', message: 'Only electron/main may import the electron module.' };
// The electron module by its exact name: as a pattern, 'electron' would also match our electron/ folder.
const forbid = (group, message) => ['error', { paths: [electronModule], patterns: group.length > 0 ? [{ group, message }] : [] }];
const NODE_AND_DRIVERS = ['node:*', 'fs', 'path', 'child_process', 'better-sqlite3', 'pg', 'react'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'test-results/', 'playwright-report/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { opsdeck: { rules: { layers: layersRule } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': forbid([], ''),
      'opsdeck/layers': ['error', { root: import.meta.dirname, layers, seams }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': forbid(NODE_AND_DRIVERS, 'shared/ is pure: no Node, no drivers, no React.') },
  },
  {
    // shared/'s tests run under Node's test runner; the code they test stays pure.
    files: ['shared/**/*.test.ts'],
    rules: { 'no-restricted-imports': forbid([...NODE_AND_DRIVERS, '!node:test', '!node:assert'], 'shared/ is pure: no Node, no drivers, no React.') },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': forbid(['node:*', 'fs', 'path', 'child_process'], 'The renderer talks only through shared/.') },
  },
  {
    // The renderer's tests run under Node's test runner; the code they test stays Node-free.
    files: ['renderer/**/*.test.ts'],
    rules: { 'no-restricted-imports': forbid(['node:*', 'fs', 'path', 'child_process', '!node:test', '!node:assert'], 'The renderer talks only through shared/.') },
  },
);
