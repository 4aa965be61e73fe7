import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { applyMigrations, readMigrations } from './db/migrate.js';
import type { Logger } from './logger.js';
import { seedDemoTenant } from './admin/provision.js';
import { buildYoga, type Yoga } from './yoga.js';

export interface RunningServer {
  url: string;
  yoga: Yoga;
  database: Database;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Opens the database the config names and brings it up to date when configured to. */
export async function prepareDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (config.migrateOnStart) {
      const migrations = await readMigrations();
      const result = await database.withConnection((conn) =>
        applyMigrations(conn, migrations, (message) => logger.warn(message)),
      );
      if (result.applied.length > 0) logger.info('migrations applied', { applied: result.applied });
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await prepareDatabase(config, logger);
  let demoToken: string | undefined;
  if (database.mode === 'embedded') {
    const seeded = await seedDemoTenant(database.prisma, config.demoToken);
    if (seeded) {
      logger.info('seeded the demo tenant (org "demo", workspace "main", demo@example.com, ADMIN)');
      // The secret goes to stdout once, for the person who just started the server.
      process.stdout.write(`\nDemo token (keep it; it is shown only now): ${seeded}\n\n`);
    }
    demoToken = config.demoToken;
  }
  const yoga = buildYoga({ config: { ...config, demoToken }, prisma: database.prisma, logger });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    yoga,
    database,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}
