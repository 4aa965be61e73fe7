import type { ValidationItem } from '../errors.js';

export const MAX_SHORT_TEXT = 256;

/** Length rules for free-text fields: one item when the value is too long (or required and empty). */
export function validateText(
  value: string | null | undefined,
  loc: (string | number)[],
  { required = false, max = MAX_SHORT_TEXT }: { required?: boolean; max?: number } = {},
): ValidationItem[] {
  if (value === null || value === undefined) return [];
  if (required && value.trim() === '') return [{ loc, msg: 'Must not be empty', type: 'value_empty' }];
  if (value.length > max) return [{ loc, msg: `Must be at most ${max} characters long`, type: 'value_too_long' }];
  return [];
}

/** Largest value of a PostgreSQL integer column (and of GraphQL Int). */
export const MAX_INT32 = 2_147_483_647;
