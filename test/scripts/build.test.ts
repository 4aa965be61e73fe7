import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build, ensureBuilt, isFresh } from '../../scripts/build.mjs';

const run = promisify(execFile);

// A project of two modules in a folder of its own: the build of the real dist/ is what the other
// tests run, so it is never rebuilt here.
describe('the build of src/ into dist/ (npm start runs the compiled sources)', () => {
  let root: string;
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  /** Sets a file's time `seconds` after now, as an edit made after the build would. */
  const touchLater = async (file: string, seconds = 5) => {
    const later = new Date(Date.now() + seconds * 1000);
    await utimes(path.join(root, file), later, later);
  };
  const runBuilt = async () => (await run(process.execPath, [path.join(root, 'dist', 'main.js')])).stdout.trim();

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cs-build-'));
    await write('tsconfig.json', '{}\n');
    await write(
      'src/main.ts',
      "import { greeting } from './lib/greeting.js';\nconst name: string = 'dist';\nconsole.log(greeting(name));\n",
    );
    await write('src/lib/greeting.ts', 'export const greeting = (name: string): string => `hello from ${name}`;\n');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('compiles each source to the same place under dist/, and runs with node alone', async () => {
    expect(await isFresh(root)).toBe(false);
    expect(await ensureBuilt(root)).toBe(true);
    expect(await isFresh(root)).toBe(true);
    expect(await runBuilt()).toBe('hello from dist');
    // Types are gone; the import still names the compiled file.
    const compiled = await readFile(path.join(root, 'dist', 'main.js'), 'utf8');
    expect(compiled).toContain('from "./lib/greeting.js"');
    expect(compiled).not.toContain(': string');
    expect((await stat(path.join(root, 'dist', 'lib', 'greeting.js'))).isFile()).toBe(true);
    expect(await ensureBuilt(root)).toBe(false);
  });

  it('builds again when a source changed, a source was added or the compiler settings changed, and not otherwise', async () => {
    await ensureBuilt(root);
    await write('src/lib/greeting.ts', 'export const greeting = (name: string): string => `changed, ${name}`;\n');
    await touchLater('src/lib/greeting.ts');
    expect(await isFresh(root)).toBe(false);
    expect(await ensureBuilt(root)).toBe(true);
    expect(await runBuilt()).toBe('changed, dist');

    await write('src/extra.ts', 'export const extra = 1;\n');
    // An older file time (copied or checked out) still needs its compiled file.
    const earlier = new Date(Date.now() - 3_600_000);
    await utimes(path.join(root, 'src', 'extra.ts'), earlier, earlier);
    expect(await isFresh(root)).toBe(false);
    await ensureBuilt(root);
    expect((await stat(path.join(root, 'dist', 'extra.js'))).isFile()).toBe(true);

    await touchLater('tsconfig.json', 10);
    expect(await ensureBuilt(root)).toBe(true);
    expect(await ensureBuilt(root)).toBe(false);
  });

  it('builds once between processes that start together, and never leaves half a build in dist/', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureBuilt(root)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await runBuilt()).toBe('hello from dist');
    // A build without its stamp (one cut short) is not taken for a finished one.
    await rm(path.join(root, 'dist', '.built'));
    expect(await isFresh(root)).toBe(false);
    await build(root);
    expect(await isFresh(root)).toBe(true);
  });
});
