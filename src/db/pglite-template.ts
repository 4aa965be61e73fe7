import { PGlite } from '@electric-sql/pglite';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/**
 * A new embedded database starts with PostgreSQL's `initdb`, run inside PGlite: 3.5 to 6 s and
 * about 5 to 10 s of CPU on a 2-core machine. Every new cluster of one PGlite version is the same,
 * so the first one made on a machine is kept as a snapshot (PGlite's own `dumpDataDir`, 4.5 MB
 * gzipped) and later new clusters are loaded from it: about 1.5 s. Existing data folders open as
 * before. The snapshot is a cache: it is written beside the installed packages, aside and then
 * renamed into place (so a reader never sees half of one), and when it cannot be written or read
 * the database is made the slow way. It holds nothing of ours: migrations run afterwards as usual.
 */
const PGLITE_VERSION = installedVersion('@electric-sql/pglite');
export const TEMPLATE_FILE = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'chat-sessions-graphql',
  `pglite-${PGLITE_VERSION}-new-cluster.tar.gz`,
);

/** The version of an installed package that does not export its package.json: read beside its entry point. */
function installedVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (found === name && version) return version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json of ${name} found`);
    dir = parent;
  }
}

/** `dataDir` is `memory://…`, or a folder that is absent or empty: nothing of a cluster is there yet. */
async function isNew(dataDir: string): Promise<boolean> {
  if (dataDir.startsWith('memory://')) return true;
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : undefined));
  return entries !== undefined && entries.length === 0;
}

/** The snapshot as a tar archive; undefined when there is none or it does not unpack (cut short, not ours). */
async function readTemplate(file: string): Promise<Blob | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) return undefined;
  // Unpacked here, where a bad archive is an error to catch: PGlite's own unpacking reports one as an unhandled rejection.
  const tar = await gunzipAsync(bytes).catch(() => undefined);
  return tar ? new Blob([tar], { type: 'application/x-tar' }) : undefined;
}

async function writeTemplate(pglite: PGlite, file: string): Promise<void> {
  const draft = `${file}.${process.pid}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const dump = await pglite.dumpDataDir('gzip');
    await writeFile(draft, Buffer.from(await dump.arrayBuffer()));
    await rename(draft, file);
  } catch {
    // A read-only install, a full disk: the next new database is made the slow way again.
    await rm(draft, { force: true });
  }
}

/** PGlite on `dataDir`; a new cluster comes from the snapshot when there is one (and makes it when not). */
export async function createPGlite(dataDir: string, template = TEMPLATE_FILE): Promise<PGlite> {
  // Anything already in the folder (a cluster, or what a failed start left) is PGlite's to judge, as always.
  if (!(await isNew(dataDir))) return PGlite.create(dataDir);
  const snapshot = await readTemplate(template);
  if (snapshot) {
    try {
      return await PGlite.create(dataDir, { loadDataDir: snapshot });
    } catch {
      // Not a snapshot this PGlite can load (cut short, another build): made anew below, and replaced.
      // The folder was empty or absent, so what the attempt left there is all it holds.
      if (!dataDir.startsWith('memory://')) await rm(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = await PGlite.create(dataDir);
  await writeTemplate(pglite, template);
  return pglite;
}
