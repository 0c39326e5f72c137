import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node (and tsx) load graphql 16's CommonJS build; Vite would pick its ESM build for our
    // sources, giving two graphql instances (two GraphQLError classes) in one process. One only.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Files run in parallel (2 cores); PostgreSQL tests isolate themselves with
    // their own database from createTestDatabase() in test/support/postgres.ts.
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
