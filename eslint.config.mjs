// ESLint for the TypeScript sources. The rule set is kept small on purpose: typescript-eslint's
// recommended rules plus a few that catch real bugs. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'env/**', 'data/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // Type-aware linting, for no-floating-promises: a promise nobody awaits loses its error.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Off: the code strips control characters on purpose (XML text, file names, PDF/DOCX text), and says so there.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests require() where an import can't stand: jest.mock factories (hoisted above imports), and the
      // journal modules, which are plain JavaScript for the server's child process.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
