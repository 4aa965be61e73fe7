import { ensureBuilt } from '../../scripts/build.mjs';

/**
 * Once per `npm test`, before any test file: the compiled sources (dist/) are brought up to date,
 * so the tests that start the server or the CLI as a process run what `npm start` runs.
 */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
