// Compiles src/ (TypeScript) into dist/ (JavaScript) with esbuild, one file for one file, so that
// `npm start` runs plain JavaScript instead of loading every module through tsx: a process starts in
// about a second less and 1.5 to 2 s less CPU (docs/performance.md). Type checking stays with
// `tsc` (npm run typecheck); this only strips the types.
//
// dist/ mirrors src/ at the same depth (dist/db/migrate.js for src/db/migrate.ts), so paths made
// from import.meta.url (../../prisma/migrations, ../../node_modules) mean the same in both.
//
// Plain JavaScript on purpose: `npm start` runs it with node alone, before anything is compiled.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');
const LOCK_STALE_MS = 120_000;
const LOCK_POLL_MS = 100;

/** The folders and files of a build of the project at `root` (the tests build a small project of their own). */
function layout(root) {
  const dist = path.join(root, 'dist');
  return {
    src: path.join(root, 'src'),
    dist,
    /** Written last (without it dist/ is not a finished build): the newest input's time, in ms. */
    stamp: path.join(dist, '.built'),
    lock: path.join(root, 'node_modules', '.cache', 'chat-sessions-graphql', 'build.lock'),
    /** Inputs besides src/ whose change means a new build: this script and the compiler settings. */
    inputs: [path.join(ROOT, 'scripts', 'build.mjs'), path.join(root, 'tsconfig.json')],
  };
}

async function sourceFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

const mtime = (file) =>
  stat(file).then(
    (s) => s.mtimeMs,
    () => 0,
  );

/** The newest modification time among the sources and the other inputs of a build. */
async function newestInput(root) {
  const { src, inputs } = layout(root);
  let newest = 0;
  for (const file of [...(await sourceFiles(src)), ...inputs]) newest = Math.max(newest, await mtime(file));
  return newest;
}

/**
 * Whether dist/ holds a build of today's sources: its stamp names the newest input it was built
 * from and none is newer now, and it has a file for every source (a source deleted since leaves a
 * stale file behind, which does no harm as nothing imports it; a new or renamed source needs a
 * build, whatever its file time says).
 */
export async function isFresh(root = ROOT) {
  const { src, dist, stamp } = layout(root);
  const built = Number((await readFile(stamp, 'utf8').catch(() => '')).trim());
  if (!Number.isFinite(built) || built === 0 || (await newestInput(root)) > built) return false;
  for (const file of await sourceFiles(src)) {
    if ((await mtime(path.join(dist, path.relative(src, file)).replace(/\.ts$/, '.js'))) === 0) return false;
  }
  return true;
}

/** Compiles src/ into a folder beside dist/, then puts it in dist/'s place (a reader never sees half a build). */
export async function build(root = ROOT) {
  const { build: esbuild } = await import('esbuild');
  const { src, dist } = layout(root);
  // Read before compiling: a source saved while the build runs is newer, so the next start builds again.
  const newest = await newestInput(root);
  const next = `${dist}.next-${process.pid}`;
  const old = `${dist}.old-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await esbuild({
    entryPoints: await sourceFiles(src),
    outdir: next,
    outbase: src,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // Stack traces and profiles point at the TypeScript lines.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await writeFile(path.join(next, '.built'), `${newest}\n`);
  await rename(dist, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(next, dist);
  await rm(old, { recursive: true, force: true });
}

async function withLock(root, body) {
  const { lock } = layout(root);
  await mkdir(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock left by a process that died while building is taken over.
      if (Date.now() - (await mtime(lock)) > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await body();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Builds dist/ unless it is fresh; several processes starting at once (tests, WEB_CONCURRENCY
 * workers) build it once between them. Returns whether this call built.
 */
export async function ensureBuilt(root = ROOT) {
  if (await isFresh(root)) return false;
  return withLock(root, async () => {
    if (await isFresh(root)) return false;
    await build(root);
    return true;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await withLock(ROOT, () => build(ROOT));
}
