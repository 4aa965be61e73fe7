/**
 * The environment of a server process that a script measures (bench, load): as `npm start` runs
 * it (NODE_ENV=production unless set), on loopback and a free port, quiet, with no rate limit (it
 * would limit the script, not measure the server) and no version gate or Redis from the caller's
 * environment.
 */
export function measuredServerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    REDIS_URL: '',
    MIN_CLIENT_VERSION: '',
  };
}
