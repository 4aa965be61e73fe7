import { createRequire } from 'node:module';
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
    // Browser tests need Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['test/browser/**', 'node_modules/**'],
    // Each worker opens one database (PGlite takes a few seconds to start); 2 cores here.
    maxWorkers: 2,
    // Generous for tests whose work is small and bounded, so a busy machine does not fail them;
    // tests whose work grows with run counts size their own budget (test/support/budget.ts).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
