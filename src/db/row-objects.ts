/**
 * Rows read as arrays (the drivers' `rowMode: 'array'`) made into objects keyed by their column
 * names. pg builds each row object by copying a null-prototype template and then setting every
 * column by name, which on a 50-row page of 22 columns cost 4 times what this does: one object
 * literal per row, made by a function written once per list of column names, so every row of a
 * statement has the same shape from the start (docs/performance.md).
 */
type Build = (row: readonly unknown[]) => Record<string, unknown>;

const builders = new Map<string, Build>();
/** The statements of db/rows.ts are few and fixed; past this many shapes a builder is not kept. */
const MAX_SHAPES = 64;

function builderFor(names: readonly string[]): Build {
  const key = names.join('\0');
  let build = builders.get(key);
  if (!build) {
    // The names are the column names of our own statements; JSON.stringify quotes them as keys.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one literal per shape, written once
    build = new Function('row', `return { ${names.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(', ')} };`) as Build;
    if (builders.size < MAX_SHAPES) builders.set(key, build);
  }
  return build;
}

export function rowObjects(names: readonly string[], rows: readonly (readonly unknown[])[]): Record<string, unknown>[] {
  const build = builderFor(names);
  return rows.map((row) => build(row));
}
