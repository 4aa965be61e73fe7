import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate, migrate status/deploy where its engine is available).
// The server builds its own client from src/config.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused' },
});
