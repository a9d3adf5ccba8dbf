// `npm run lint` (also part of `npm test`): ESLint's and typescript-eslint's recommended rules
// over the sources, tests and benchmarks, plus a line length a side-by-side diff can show.

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  Buffer: 'readonly', console: 'readonly', process: 'readonly', performance: 'readonly',
  setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
  setImmediate: 'readonly', clearImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly',
  AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly',
  fetch: 'readonly', queueMicrotask: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Assertions after a check the compiler cannot follow (a Map lookup just filled) are clearer than a second check.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The executable has no extension; it is CommonJS like everything under bin/ (bin/package.json).
    files: ['**/*.cjs', 'bin/statsite-ts'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
