// Writes schema.graphql (the client-facing schema) and schema.subgraph.graphql (the federation
// subgraph SDL a gateway composes) from the Pothos schema; with --check, fails when either drifts.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchemaSdl, printSubgraphSdl } from '../src/schema/index.js';

const outputs = [
  { file: fileURLToPath(new URL('../schema.graphql', import.meta.url)), sdl: printSchemaSdl() },
  { file: fileURLToPath(new URL('../schema.subgraph.graphql', import.meta.url)), sdl: `${printSubgraphSdl().trimEnd()}\n` },
];
if (process.argv.includes('--check')) {
  for (const { file, sdl } of outputs) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== sdl) {
      process.stderr.write(`${file} is out of date: run \`npm run schema:print\` and commit it.\n`);
      process.exit(1);
    }
  }
  process.stdout.write('schema.graphql and schema.subgraph.graphql are up to date.\n');
} else {
  for (const { file, sdl } of outputs) {
    await writeFile(file, sdl);
    process.stdout.write(`wrote ${file}\n`);
  }
}
