import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The layers of DESIGN.md, checked: shared ← store ← engine ← api ← hosts; renderer → shared only;
 * only electron/main may import the electron module.
 */
const electronModule = { name: 'electron', message: 'Only electron/main may import the electron module.' };
// The electron module by its exact name: as a pattern, 'electron' would also match our electron/ folder.
const forbid = (patterns, message) => [
  'error',
  { paths: [electronModule], patterns: patterns.map((pattern) => ({ group: [pattern], message })) },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'test-results/', 'playwright-report/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': forbid([], ''),
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['node:*', 'fs', 'path', 'child_process', 'better-sqlite3', 'pg', 'react', '../electron/*', '../renderer/*'],
        'shared/ is pure: no Node, no drivers, no React, nothing of ours above it.',
      ),
    },
  },
  {
    // shared/'s tests run under Node's test runner; the code they test stays pure.
    files: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronModule],
          patterns: [
            {
              group: ['node:*', '!node:test', '!node:assert', 'fs', 'path', 'child_process', 'better-sqlite3', 'pg', 'react', '../electron/*', '../renderer/*'],
              message: 'shared/ is pure: no Node, no drivers, no React, nothing of ours above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/store/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['../runners/*', '../config/*', '../engine/*', '../api/*', '../main/*', '../server/*', '../cli/*'],
        'The store imports only shared/.',
      ),
    },
  },
  {
    files: ['electron/runners/**/*.ts', 'electron/config/**/*.ts', 'electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['../api/*', '../main/*', '../server/*', '../cli/*'],
        'The engine runs headless: it never reaches up into the API or a host.',
      ),
    },
  },
  {
    files: ['electron/api/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(['../main/*', '../server/*', '../cli/*'], 'Handlers know no host.'),
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': forbid(
        ['node:*', '**/electron/**', 'fs', 'path', 'child_process'],
        'The renderer talks only through shared/.',
      ),
    },
  },
);
