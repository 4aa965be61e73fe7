import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { TEST_DATABASE_URL } from '../support/database.js';
import { createTenant, type Tenant } from '../support/tenant.js';

export interface ClientTestServer {
  server: RunningServer;
  tenant: Tenant;
  /** The tenant's first member's token. */
  token: string;
}

/**
 * The server as `npm start` runs it, on a real port, for clients that speak HTTP themselves: on the
 * test database's server (TEST_DATABASE_URL, migrated by startServer) or an in-memory embedded one.
 */
export async function startClientTestServer(env: Record<string, string> = {}): Promise<ClientTestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, MIGRATE_ON_START: 'true' } : {}),
    ...env,
  });
  const server = await startServer(config, createLogger('silent'));
  const tenant = await createTenant(server.database.prisma, [{ role: 'CONTRIBUTOR' }]);
  return { server, tenant, token: tenant.members[0]!.token };
}
