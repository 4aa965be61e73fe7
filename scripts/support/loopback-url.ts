const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * What is wrong with `raw` as a database URL for the bench or the load test, or undefined. They
 * create and drop databases and send thousands of requests, so they only ever talk to this
 * machine: a typo in a URL must never point them at a shared server.
 */
export function loopbackPostgresUrlProblem(raw: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${what} is not a valid URL`;
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') return `${what} must be a postgresql:// URL`;
  const socketHost = url.searchParams.get('host');
  if (!LOOPBACK_HOSTS.has(url.hostname) || (socketHost !== null && !socketHost.startsWith('/'))) {
    return `${what} must point at this machine (127.0.0.1, localhost or ::1), got "${url.host}"`;
  }
  return undefined;
}
