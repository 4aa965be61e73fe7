import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/ (docs/architecture.md), from the edge down. A file may import its own layer
 * and the layers below it, never one above: the HTTP edge knows the schema, the schema knows the
 * domain, the domain knows the database, and nothing below the edge knows HTTP.
 */
const LAYERS: [layer: string, places: string[]][] = [
  ['entry point', ['main.ts']],
  ['HTTP edge', ['http/']],
  ['schema', ['schema/']],
  ['request context', ['context.ts']],
  ['domain', ['sessions/', 'live/', 'admin/']],
  ['access', ['auth/']],
  ['database', ['db/']],
  ['shared', ['config.ts', 'errors.ts', 'logger.ts', 'generated/']],
];

const SRC = path.resolve('src');
const rank = (file: string) => LAYERS.findIndex(([, places]) => places.some((place) => file === place || file.startsWith(place)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('architecture', () => {
  it('every import in src/ points to its own layer or one below it', () => {
    const wrong: string[] = [];
    const files = sourceFiles(SRC);
    for (const file of files) {
      const from = path.relative(SRC, file);
      expect(rank(from), `${from} belongs to no layer`).toBeGreaterThanOrEqual(0);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        // Specifiers name the compiled .js of a .ts file.
        const to = path.relative(SRC, path.resolve(path.dirname(file), specifier!)).replace(/\.js$/, '.ts');
        if (rank(to) < 0) wrong.push(`${from} -> ${to} (outside the layers)`);
        else if (rank(to) < rank(from)) wrong.push(`${from} -> ${to} (${LAYERS[rank(from)]![0]} -> ${LAYERS[rank(to)]![0]})`);
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
  });

  it('the root of src/ holds only the entry point, configuration, context, logger and the error table', () => {
    const files = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
    expect(files.sort()).toEqual(['config.ts', 'context.ts', 'errors.ts', 'logger.ts', 'main.ts']);
  });
});
