// `npm run supergraph -- [--url URL] [--out FILE] [--subgraph NAME=URL=SDL_FILE ...]`
// Composes this server's subgraph (served at --url, default http://localhost:4000/graphql) with any
// other subgraphs given, and writes the supergraph SDL for Hive Gateway (default supergraph.graphql).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { composeSupergraph, type SubgraphSource } from './support/compose-supergraph.js';
import { printSubgraphSdl } from '../src/schema/index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:4000/graphql' },
    out: { type: 'string', default: 'supergraph.graphql' },
    subgraph: { type: 'string', multiple: true, default: [] },
  },
});

const subgraphs: SubgraphSource[] = [{ name: 'sessions', url: values.url, sdl: printSubgraphSdl() }];
for (const spec of values.subgraph) {
  const [name, url, file] = spec.split('=');
  if (!name || !url || !file) throw new Error(`--subgraph must be NAME=URL=SDL_FILE, got "${spec}"`);
  subgraphs.push({ name, url, sdl: await readFile(file, 'utf8') });
}
await writeFile(values.out, composeSupergraph(subgraphs));
process.stdout.write(`wrote ${values.out} (${subgraphs.map((s) => s.name).join(', ')})\n`);
