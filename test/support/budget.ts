/**
 * Time budgets for tests, sized by the work a test does rather than by how fast one machine
 * happens to be. The unit is one request to the server with the database work it causes: on a
 * 2-core machine running two CPU-bound processes beside the suite, with the in-process database,
 * one takes up to about half a second, so each gets several times that. A budget only ends a test
 * that hangs; a passing run uses a small part of it.
 */
export const REQUEST_MS = 2_000;

/** Time for a test that sends `requests` requests (or as many units of similar work), plus setup. */
export function budget(requests: number, setupMs = 60_000): number {
  return setupMs + requests * REQUEST_MS;
}

/**
 * A test that starts the server or the CLI as a process: the start migrates and seeds the embedded
 * database (up to START_TIMEOUT_MS in test/support/process.ts on a loaded machine), then the test's
 * own few requests.
 */
export const PROCESS_TEST_MS = 180_000;
