import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents, checked against schema.graphql (the schema printed from code): the operations
// under test/operations for the tests, and those a UI needs for the example client. A renamed
// field or a wrong variable type is a type error, not a runtime surprise.
const typesConfig = {
  useTypeImports: true,
  enumsAsTypes: true,
  strictScalars: true,
  scalars: {
    UUID: 'string',
    DateTime: 'string',
    NonNegativeInt: 'number',
    JSONObject: 'Record<string, unknown>',
    // Federation's representation scalar, for the tests of _entities.
    _Any: 'Record<string, unknown>',
  },
};
const presetConfig = { fragmentMasking: false };

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // ESM output: relative imports end in .js, as NodeNext resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig,
      // The tests also query federation's _entities, which schema.graphql leaves out.
      schema: ['schema.graphql', 'test/operations/federation-fields.graphql'],
      documents: ['test/operations/**/*.graphql', '!test/operations/federation-fields.graphql'],
      config: typesConfig,
    },
    // The UI's operations, and their trusted-documents manifest (persisted-documents.json, sha256 →
    // document) for a server that runs only them (PERSISTED_DOCUMENTS, docs/configuration.md).
    'examples/client/generated/': {
      preset: 'client',
      presetConfig: { ...presetConfig, persistedDocuments: { hashAlgorithm: 'sha256' } },
      documents: ['examples/client/**/*.graphql'],
      config: typesConfig,
    },
  },
};

export default config;
