import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase, describeUrl } from '../support/scratch-database.js';
import type { Target } from './args.js';

/** Where the server under load keeps its data, as the server's environment names it. */
export interface LoadDatabase {
  mode: 'postgres' | 'embedded';
  /** DATABASE_URL for the server (undefined: embedded). */
  databaseUrl: string | undefined;
  /** DATA_DIR for the server in embedded mode. */
  dataDir: string;
  /** A human description for the report (no credentials). */
  description: string;
  /** Drops what this run created (unless kept); safe to call twice. */
  dispose(): Promise<void>;
}

async function freshPostgres(adminUrl: string, keep: boolean): Promise<LoadDatabase> {
  const scratch = await createScratchDatabase(adminUrl, 'cs_load');
  return {
    mode: 'postgres',
    databaseUrl: scratch.url,
    dataDir: '',
    description: `${describeUrl(scratch.url)}${keep ? ' (kept)' : ' (fresh, dropped at the end)'}`,
    dispose: async () => {
      if (!keep) await scratch.drop();
    },
  };
}

async function embedded(keep: boolean): Promise<LoadDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cs-load-'));
  let disposed = keep;
  return {
    mode: 'embedded',
    databaseUrl: undefined,
    dataDir,
    description: `embedded PGlite in ${dataDir}${keep ? ' (kept)' : ' (removed at the end)'}`,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function prepareLoadDatabase(target: Target, keep: boolean): Promise<LoadDatabase> {
  switch (target.kind) {
    case 'fresh-postgres':
      return freshPostgres(target.adminUrl, keep);
    case 'embedded':
      return embedded(keep);
    case 'postgres':
      return Promise.resolve({
        mode: 'postgres',
        databaseUrl: target.databaseUrl,
        dataDir: '',
        description: `${describeUrl(target.databaseUrl)} (existing, kept)`,
        dispose: async () => {},
      });
  }
}
