import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * graphql-codegen for the partner app (`npm run codegen:partner-app`, from the repository root):
 * the client preset turns the documents in operations.ts into TypedDocumentNodes, typed against the
 * gateway's API schema (schema.graphql, written by api-schema.ts from rover.yaml). The output in
 * generated/ is committed: it is source the app compiles against, and `npm test` checks that it
 * is current (test/partner-app.test.ts) without any network.
 */
export const CODEGEN_CONFIG = {
  schema: 'examples/partner-app/schema.graphql',
  documents: ['examples/partner-app/operations.ts'],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    'examples/partner-app/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        importExtension: '.ts',
        scalars: { Date: 'string', DateTime: 'string' },
        documentMode: 'documentNode',
        onlyOperationTypes: true,
      },
    },
  },
} satisfies CodegenConfig;

export default CODEGEN_CONFIG;
