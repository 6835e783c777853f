// Lint: strict typed rules, and the layer boundaries of CONVENTIONS.md (renderer → contract ← main;
// api stands alone) enforced as import restrictions.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'api/.image/', 'test-results/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Fastify hooks and handlers are async by contract even when a body has nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  layer(['renderer/**'], [
    { group: ['**/main/contract', '**/main/contract.js', '**/main/contract.ts'], allowTypeImports: true, message: 'renderer/ may only `import type` from main/contract.ts.' },
    { group: ['**/main/**', '!**/main/contract', '!**/main/contract.js', '!**/main/contract.ts'], message: 'renderer/ talks to the Node side only through main/contract.ts.' },
    { group: ['**/api/**'], message: 'renderer/ does not know the API.' },
    { group: ['node:*'], message: 'renderer/ has no Node access.' },
  ]),
  layer(['main/**'], [
    { group: ['**/renderer/**'], message: 'main/ never imports renderer/.' },
    { group: ['**/api/**'], message: 'The app knows the API only as a container and a scrape target.' },
  ]),
  layer(['main/stack/**', 'main/config/**', 'main/alerts/**', 'main/prom/**', 'main/traffic/**', 'main/engine/**'], [
    { group: ['**/renderer/**'], message: 'main/ never imports renderer/.' },
    { group: ['**/api/**'], message: 'The app knows the API only as a container and a scrape target.' },
    { group: ['**/host/**'], message: 'Domain modules never import the host: they take the stack, a callback or an emitter as parameters.' },
  ]),
  layer(['api/**'], [
    { group: ['**/main/**', '**/renderer/**'], message: 'api/ stands alone: it knows nothing of the app.' },
  ]),
);
