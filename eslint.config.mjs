// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox and the contract is imported by other systems' starters:
// neither may pull in I/O libraries or the worker/client/activity packages.
const deterministicBans = {
  paths: [
    ...builtinModules.filter((m) => m !== 'assert').flatMap((m) => [m, `node:${m}`]),
    'undici',
    'fast-xml-parser',
    '@temporalio/activity',
    '@temporalio/client',
    '@temporalio/worker',
    '@temporalio/testing',
  ].map((name) => ({ name, message: 'Not allowed in deterministic workflow or contract code.' })),
  patterns: [
    {
      // `./activities` is the workflow folder's own proxies file (workflows/<x>/activities.ts), not activity code.
      group: ['**/activities/*', '**/activities', '!./activities'],
      allowTypeImports: true,
      message: 'Workflows import activity types only.',
    },
    { group: ['**/src/integrations/**', '**/src/simulators/**'], message: 'I/O code stays out of workflows.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.ferje/', '.tools/', 'test-results/', 'schemas/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself tracks.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-deprecated': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/contract/**/*.ts', 'test/fixtures/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', deterministicBans],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No environment reads in workflow or contract code.' },
        { name: 'setInterval', message: 'Use workflow sleep().' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
