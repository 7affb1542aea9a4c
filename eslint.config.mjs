import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries (Nx tags in each package.json): connectors depend on core (and the testkit in tests)
// only, never on each other or on the runner; core depends on nothing of ours.
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/test-results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:testkit', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:connector', onlyDependOnLibsWithTags: ['scope:core', 'scope:testkit'] },
            { sourceTag: 'scope:runner', onlyDependOnLibsWithTags: ['scope:core', 'scope:connector'] },
          ],
        },
      ],
    },
  },
);
