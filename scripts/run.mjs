// `node scripts/run.mjs main.js [args…]`: runs a module of the compiled sources (dist/, see
// build.mjs), compiling them first when src/ changed since the last build. `npm start` and
// `npm run admin` go through here, so that a fresh clone, an edited source and a clean build all
// start the same way, with nothing to remember.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from './build.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <module of dist/, e.g. main.js> [args…]\n');
  process.exit(2);
}
await ensureBuilt();
// The module reads its own arguments from process.argv, as if it had been started directly.
process.argv = [process.argv[0], path.join(DIST, entry), ...args];
await import(pathToFileURL(path.join(DIST, entry)).href);
