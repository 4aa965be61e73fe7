import { createScratchDatabase, describeUrl } from '../support/scratch-database.js';

/** The database a bench run works on: a fresh one it drops at the end, or one it was given. */
export interface BenchDatabase {
  url: string;
  /** For messages: the URL without credentials. */
  description: string;
  /** Whether dispose() drops it. */
  owned: boolean;
  dispose(): Promise<void>;
}

/** `cs_bench_<random>` on the admin URL's server; kept when `keep` (the caller prints its URL). */
export async function createBenchDatabase(adminUrl: string, keep: boolean): Promise<BenchDatabase> {
  const scratch = await createScratchDatabase(adminUrl, 'cs_bench');
  return {
    url: scratch.url,
    description: describeUrl(scratch.url),
    owned: !keep,
    dispose: async () => {
      if (!keep) await scratch.drop();
    },
  };
}

export function givenDatabase(url: string): BenchDatabase {
  return { url, description: describeUrl(url), owned: false, dispose: async () => {} };
}
