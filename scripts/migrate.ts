// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { applyMigrations, readMigrations } from '../src/db/migrate.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const result = await database.withConnection(async (conn) =>
    applyMigrations(conn, await readMigrations(), (message) => process.stderr.write(`warning: ${message}\n`)),
  );
  process.stdout.write(`${JSON.stringify({ database: database.mode, ...result })}\n`);
} catch (error) {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
