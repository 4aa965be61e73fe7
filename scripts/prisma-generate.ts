// Runs `prisma generate` offline. Prisma's CLI wants a native schema engine before generating and
// downloads one when it is missing; `generate` never runs it, so when no engine is installed we
// point PRISMA_SCHEMA_ENGINE_BINARY at an existing file instead of letting it try the network.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const enginesDir = path.dirname(require.resolve('@prisma/engines/package.json'));
const hasEngine =
  process.env.PRISMA_SCHEMA_ENGINE_BINARY !== undefined || readdirSync(enginesDir).some((name) => name.startsWith('schema-engine'));

// The Pothos generator is a bin of node_modules; put them on PATH as npm scripts do.
const bin = path.resolve('node_modules', '.bin');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
};
if (!hasEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
if (!existsSync(cli)) throw new Error(`Prisma CLI not found at ${cli}`);
const result = spawnSync(process.execPath, [cli, 'generate', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
