import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries (Nx tags in each package.json): connectors depend on core (and the testkit in tests)
// only, never on each other or on the runner; core depends on nothing of ours; the runner's code on core and the
// connectors, its tests on the testkit too.
/** Which packages each kind may import; `runner`: what the runner's files may (its code, or its tests too). */
function boundaries(runner) {
  return [
    { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'scope:testkit', onlyDependOnLibsWithTags: ['scope:core'] },
    { sourceTag: 'scope:connector', onlyDependOnLibsWithTags: ['scope:core', 'scope:testkit'] },
    { sourceTag: 'scope:runner', onlyDependOnLibsWithTags: runner },
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/test-results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: boundaries(['scope:core', 'scope:connector']) }],
    },
  },
  {
    // The runner's tests may use the testkit's helpers (its free port), as the connectors' tests do; its code may not.
    files: ['packages/runner/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: boundaries(['scope:core', 'scope:connector', 'scope:testkit']) }],
    },
  },
);
