import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGlite } from '../../src/db/pglite-template.js';
import { PROCESS_TEST_MS } from '../support/budget.js';

/**
 * New embedded clusters come from a snapshot of the first one (src/db/pglite-template.ts). Each
 * case here makes a cluster or two, the slow way included, so the whole file is one budget.
 */
describe('PGlite: new clusters from a snapshot', { tags: ['embedded-only'], timeout: PROCESS_TEST_MS }, () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cs-template-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const version = async (dir: string) => {
    const pglite = await createPGlite(dir, path.join(root, 'snapshot.tar.gz'));
    try {
      return (await pglite.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v;
    } finally {
      await pglite.close();
    }
  };

  it('the first new cluster leaves a snapshot (replacing one that cannot be loaded); later ones load it; existing data stays', async () => {
    const template = path.join(root, 'snapshot.tar.gz');
    // A snapshot cut short, or not one at all: the cluster is made the slow way and the snapshot replaced.
    await writeFile(template, 'not a tarball');
    const first = path.join(root, 'first');
    expect(Number(await version(first))).toBeGreaterThanOrEqual(150000);
    expect((await stat(template)).size).toBeGreaterThan(1_000_000);
    expect(await readdir(root)).toEqual(expect.arrayContaining(['first', 'snapshot.tar.gz']));

    // New clusters are made from the snapshot: one taken of a cluster with a marker shows it.
    const marked = await createPGlite('memory://marked', template);
    await marked.exec('CREATE TABLE marker (v int)');
    await writeFile(template, Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer()));
    await marked.close();
    const fromSnapshot = await createPGlite('memory://from-snapshot', template);
    try {
      expect((await fromSnapshot.query<{ n: number }>('SELECT count(*)::int AS n FROM marker')).rows).toEqual([{ n: 0 }]);
    } finally {
      await fromSnapshot.close();
    }

    const second = path.join(root, 'second');
    const pglite = await createPGlite(second, template);
    await pglite.exec(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
    await pglite.close();

    // An existing cluster opens as it is: the snapshot is only for new ones.
    const reopened = await createPGlite(second, template);
    try {
      expect((await reopened.query<{ v: string }>('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await reopened.close();
    }
  });
});
