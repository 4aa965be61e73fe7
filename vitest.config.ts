import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module). Node loads the CommonJS build for yoga
    // and Pothos; Vite would give our sources the ESM one, and two copies of graphql break
    // `instanceof GraphQLError`. Point our imports at the copy Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The compiled sources, which the tests that start the server or the CLI as a process run.
    globalSetup: ['test/support/global-setup.ts'],
    // Browser tests need Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['test/browser/**', 'node_modules/**'],
    // One more worker than cores: many tests wait on child processes, timers or the database.
    maxWorkers: Math.max(2, availableParallelism()) + 1,
    // Generous for tests whose work is small and bounded, so a busy machine does not fail them;
    // tests whose work grows with run counts size their own budget (test/support/budget.ts).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Files in a worker share its modules, so its database is opened and migrated once (tests
    // isolate by data: each makes its own tenant); a fresh module graph per file cost 2-4 s each.
    isolate: false,
    tags: [
      {
        name: 'embedded-only',
        description:
          'Starts `npm start` or the CLI on the embedded database whatever TEST_DATABASE_URL says; the PostgreSQL run in CI leaves it out rather than run it twice.',
      },
    ],
  },
});
