// Writes schema.graphql from the Pothos schema; with --check, fails when the committed file drifts.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchemaSdl } from '../src/schema/index.js';

const file = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const sdl = printSchemaSdl();
if (process.argv.includes('--check')) {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed !== sdl) {
    process.stderr.write('schema.graphql is out of date: run `npm run schema:print` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date.\n');
} else {
  await writeFile(file, sdl);
  process.stdout.write(`wrote ${file}\n`);
}
