import { ConfigError, loadConfig } from '../config.js';
import { createLogger, errorFields, type Logger } from '../logger.js';
import { isWorker, reportListening, runPrimary } from './cluster.js';
import { startServer, type ServerOptions } from './server.js';

const announce = (url: string) => process.stdout.write(`GraphQL API and GraphiQL at ${url}\n`);

/** The oldest Node.js line still maintained (Node 20's support ended on 2026-04-30). */
const OLDEST_MAINTAINED_NODE = 22;

function warnIfUnmaintained(logger: Logger): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= OLDEST_MAINTAINED_NODE) return;
  logger.warn(`Node.js ${major} is past its end of life: fine for development; run Node 24 in production (docs/operations.md)`, {
    node: process.version,
  });
}

async function run(options: ServerOptions): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Once per server (a cluster's primary, not each worker).
  if (!isWorker()) warnIfUnmaintained(logger);
  if (config.webConcurrency > 1 && !isWorker()) {
    runPrimary(config.webConcurrency, logger, announce);
    return;
  }
  const started = startServer(config, logger, options);

  let stopping = false;
  // A stop asked for while the server starts waits for the start to finish (killing the process in
  // the middle of a migration could leave the embedded database half-written). If the start
  // fails, serve() reports it and exits.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    started.then(
      async (server) => {
        logger.info('shutting down', { signal });
        try {
          await server.close();
          process.exit(0);
        } catch (error) {
          logger.error('shutdown failed', errorFields(error));
          process.exit(1);
        }
      },
      () => undefined,
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const server = await started;
  // The runtime and its flags, for whoever reads why two hosts of the same code differ in speed or memory.
  logger.info('server listening', { url: server.url, database: server.database.mode, node: process.version, nodeFlags: process.execArgv });

  // A worker's primary prints the ready line once all its workers listen.
  if (isWorker()) reportListening(server.url);
  else announce(server.url);
}

/**
 * Runs the server as `npm start` does: configuration from the environment, the ready line on
 * stdout, a graceful stop on SIGTERM or SIGINT, and exit code 1 with a one-line reason when it
 * cannot start. With WEB_CONCURRENCY above 1 this process is the primary of that many workers
 * (cluster.ts), each of which runs this function too.
 */
export function serve(options: ServerOptions = {}): void {
  run(options).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
    } else {
      process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  });
}
