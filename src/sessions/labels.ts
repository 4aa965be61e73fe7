import type { PrismaClient } from '../generated/prisma/client.js';
import type { ValidationItem } from '../errors.js';

export interface Label {
  key: string;
  values: string[];
}

export const LABEL_KEY_PATTERN = /^[a-z0-9][a-z0-9_.:/-]{0,62}$/;
export const MAX_LABEL_VALUE_LENGTH = 256;
export const MAX_LABEL_KEYS = 64;
export const MAX_LABEL_VALUES = 256;

/**
 * Checks labels against docs/api.md (key pattern, value length, key and value counts) and returns one
 * item per violation, located under `loc` (e.g. ["input", "labels", 2, "values", 0]). Duplicate
 * keys are merged and duplicate values collapse, as a set would.
 */
export function validateLabels(labels: readonly Label[], loc: (string | number)[]): ValidationItem[] {
  const items: ValidationItem[] = [];
  labels.forEach((label, i) => {
    if (!LABEL_KEY_PATTERN.test(label.key)) {
      items.push({
        loc: [...loc, i, 'key'],
        msg: `Label key "${label.key.slice(0, 80)}" must match ${LABEL_KEY_PATTERN.source}`,
        type: 'label_key_invalid',
      });
    }
    if (label.values.length === 0) {
      items.push({ loc: [...loc, i, 'values'], msg: 'A label needs at least one value', type: 'label_values_empty' });
    }
    label.values.forEach((value, j) => {
      if (value.length < 1 || value.length > MAX_LABEL_VALUE_LENGTH) {
        items.push({
          loc: [...loc, i, 'values', j],
          msg: `Label values must be 1 to ${MAX_LABEL_VALUE_LENGTH} characters long`,
          type: 'label_value_length',
        });
      }
    });
  });
  const normalized = normalizeLabels(labels);
  if (normalized.length > MAX_LABEL_KEYS) {
    items.push({ loc, msg: `At most ${MAX_LABEL_KEYS} label keys per session`, type: 'too_many_label_keys' });
  }
  const valueCount = normalized.reduce((sum, label) => sum + label.values.length, 0);
  if (valueCount > MAX_LABEL_VALUES) {
    items.push({ loc, msg: `At most ${MAX_LABEL_VALUES} label values per session`, type: 'too_many_label_values' });
  }
  return items;
}

/** Merges duplicate keys, drops duplicate values and sorts keys and values. */
export function normalizeLabels(labels: readonly Label[]): Label[] {
  const byKey = new Map<string, Set<string>>();
  for (const label of labels) {
    const values = byKey.get(label.key) ?? new Set<string>();
    for (const value of label.values) values.add(value);
    byKey.set(label.key, values);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, values]) => ({ key, values: [...values].sort(compareText) }));
}

/**
 * Code-point order, as PostgreSQL's COLLATE "C" sorts UTF-8 (the label and facet queries sort
 * there), the same on every platform (unlike localeCompare). JavaScript's `<` compares UTF-16
 * code units, which puts a character past U+FFFF (a surrogate pair, D800-DFFF) before one of
 * U+E000-U+FFFF: the first differing unit is moved to where its code point sorts.
 */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);

/** Labels of many sessions in one statement, grouped per session, keys and values sorted. */
export async function loadLabels(prisma: PrismaClient, sessionIds: readonly string[]): Promise<Map<string, Label[]>> {
  const rows = await prisma.sessionLabel.findMany({
    where: { sessionId: { in: [...sessionIds] } },
    select: { sessionId: true, key: true, value: true },
  });
  const raw = new Map<string, Label[]>();
  for (const row of rows) {
    const list = raw.get(row.sessionId) ?? [];
    list.push({ key: row.key, values: [row.value] });
    raw.set(row.sessionId, list);
  }
  return new Map([...raw].map(([sessionId, labels]) => [sessionId, normalizeLabels(labels)]));
}
