/**
 * Run counts and seed of the fuzz suite. FUZZ_RUNS is the number of runs of each property (a few
 * cheap ones run a multiple of it); the default keeps the suite well under a minute on PGlite, as
 * CI runs it three times. FUZZ_SEED replays a run (fast-check prints seed and path of a failure).
 */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function seedFromEnv(): number {
  const raw = process.env.FUZZ_SEED?.trim();
  if (!raw) return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`FUZZ_SEED must be an integer, got "${raw}"`);
  return value | 0;
}

export const FUZZ_RUNS = positiveInt('FUZZ_RUNS', 40);
export const FUZZ_SEED = seedFromEnv();

/** FNV-1a: a stable 32-bit number per property name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * fast-check parameters for one property, printed so a closing note can quote the runs and a
 * failure can be replayed. Each property draws from its own seed, derived from FUZZ_SEED and its
 * name, so properties with the same shape of input do not replay each other's values; setting
 * FUZZ_SEED to the printed base seed replays them all. `scale` sizes a property relative to
 * FUZZ_RUNS (cheap ones run more).
 */
export function fuzzParameters(property: string, scale = 1): { numRuns: number; seed: number } {
  const numRuns = Math.max(1, Math.round(FUZZ_RUNS * scale));
  const seed = (FUZZ_SEED ^ hash(property)) | 0;
  console.log(`[fuzz] ${property}: ${numRuns} runs (FUZZ_SEED=${FUZZ_SEED}, property seed ${seed})`);
  return { numRuns, seed };
}
