import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the operations under test/operations, checked against schema.graphql (the
// schema printed from code). Tests import them from test/generated, so a renamed field or a wrong
// variable type is a type error, not a runtime surprise.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  // ESM output: relative imports end in .js, as NodeNext resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          UUID: 'string',
          DateTime: 'string',
          NonNegativeInt: 'number',
          JSONObject: 'Record<string, unknown>',
          // Federation's representation scalar (_entities), for completeness.
          _Any: 'Record<string, unknown>',
        },
      },
    },
  },
};

export default config;
