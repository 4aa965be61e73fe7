// Type-aware linting (typescript-eslint): promises that nobody awaits, `any` that leaks into
// typed code, and the recommended correctness rules. Formatting is Prettier's (.prettierrc.json).
import graphql from '@graphql-eslint/eslint-plugin';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/generated/',
      'test/generated/',
      'examples/client/generated/',
      'test/clients/relay/__generated__/',
      'artifacts/',
      'dist/',
      '.data/',
      'eslint.config.js',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Yoga's hook payloads hand out bound functions (endResponse, setResult …) to be taken out.
    files: ['src/http/plugins/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Vitest's asymmetric matchers (expect.any(), expect.stringContaining() …) are typed `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // The client-facing schema (printed from the code). The rules chosen, and why:
    // - require-description: every type, field, argument and enum value says what it is (GraphiQL,
    //   codegen and IDEs show it);
    // - require-nullable-result-in-root: an error nulls only its own root field, never the response;
    // - relay-connection-types, relay-edge-types, relay-page-info: `sessions` is a Relay connection
    //   that Relay, Apollo and urql paginate;
    // - naming-convention: PascalCase types, camelCase fields and arguments, UPPER_CASE enum values;
    // - no-unreachable-types, no-hashtag-description: nothing dead, no comments posing as descriptions.
    files: ['schema.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: 'schema.graphql' } } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      '@graphql-eslint/require-nullable-result-in-root': 'error',
      '@graphql-eslint/relay-connection-types': 'error',
      // Lists of other things than edges (labels, messages, facets) are fine. A node need not be a
      // Node: a search hit (MessageSearchHit) is a message's match for one query, not an object
      // with an identity of its own; its message and session are Nodes.
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false }],
      '@graphql-eslint/relay-page-info': 'error',
      '@graphql-eslint/naming-convention': [
        'error',
        {
          types: 'PascalCase',
          FieldDefinition: 'camelCase',
          InputValueDefinition: 'camelCase',
          Argument: 'camelCase',
          EnumValueDefinition: 'UPPER_CASE',
        },
      ],
      '@graphql-eslint/no-unreachable-types': 'error',
      '@graphql-eslint/no-hashtag-description': 'error',
    },
  },
);
