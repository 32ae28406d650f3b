import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node modules that do I/O: the pure core (desired/, plan/) never imports them. */
const IO_MODULES = [
  'node:fs',
  'node:fs/promises',
  'fs',
  'fs/promises',
  'node:http',
  'node:https',
  'node:net',
  'node:child_process',
  'node:os',
  'pg',
  'pg-cursor',
  'express',
  'undici',
];

/** Folders of the I/O shell and the entry points, as seen from a folder directly under src/. */
const SHELL = [
  'adapters',
  'apply',
  'bench',
  'cli',
  'controller',
  'doctor',
  'local',
  'observe',
  'runs',
  'runtime',
  'server',
  'sim',
  'http',
];

const shellImports = (allowed = []) =>
  SHELL.filter((d) => !allowed.includes(d)).map((d) => ({
    group: [`../${d}/*`, `../../${d}/*`],
    message: `this layer does not import ${d}/ (see docs/architecture.md, "Layers")`,
  }));

/** A rule object for `@typescript-eslint/no-restricted-imports`. */
const restrict = (patterns, paths = []) => [
  'error',
  { paths: paths.map((name) => ({ name, message: 'the pure core does no I/O' })), patterns },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', 'bench/results/', '.roster/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The pure core: no adapter, no I/O module, no process; ports and the observed model as types only.
    files: ['src/desired/**/*.ts', 'src/plan/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        [
          ...shellImports(['observe']),
          {
            group: ['../observe/*', '../ports/*'],
            allowTypeImports: true,
            message: 'the core uses ports and observed data as types only',
          },
        ],
        IO_MODULES,
      ),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'the core reads no environment: take it as a parameter' },
      ],
    },
  },
  {
    // The simulator stands alone: it imports nothing of Roster.
    files: ['src/sim/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '!../sim/*'], message: 'src/sim imports nothing from the rest of Roster' },
          ],
        },
      ],
    },
  },
  {
    // Runs, apply and the controller talk to the outside only through ports; entry points wire them.
    files: ['src/runs/**/*.ts', 'src/apply/**/*.ts', 'src/controller/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        shellImports(['apply', 'runs', 'observe', 'controller', 'http']).concat([
          { group: ['../controller/*'], message: 'runs and apply do not import the controller' },
        ]),
        ['pg', 'pg-cursor', 'express'],
      ),
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The controller is the one place that may import the controller; it runs the preflight.
    files: ['src/controller/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        shellImports(['apply', 'runs', 'observe', 'controller', 'http', 'doctor']),
        ['pg', 'pg-cursor', 'express'],
      ),
    },
  },
  {
    // The preflight is a use case of its own: it reads through ports, and writes nothing.
    files: ['src/doctor/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(shellImports(['observe', 'doctor']), [
        'pg',
        'pg-cursor',
        'express',
      ]),
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The status server depends on the controller's API, never the reverse; it wires no adapter.
    files: ['src/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        shellImports(['controller', 'runs', 'observe', 'http', 'apply']),
      ),
    },
  },
);
