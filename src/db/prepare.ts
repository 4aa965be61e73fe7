import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openDatabase, type Database } from './client.js';
import { applyMigrations, readMigrations } from './migrate.js';

/** Opens the database the config names and brings it up to date when configured to. */
export async function prepareDatabase(config: Config, logger: Logger, onQuery?: (sql: string) => void): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.pool, onQuery });
  try {
    if (config.migrateOnStart) {
      const migrations = await readMigrations();
      const result = await database.withConnection((conn) => applyMigrations(conn, migrations, (message) => logger.warn(message)));
      if (result.applied.length > 0) logger.info('migrations applied', { applied: result.applied });
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
