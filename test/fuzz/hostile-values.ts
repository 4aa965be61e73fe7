import fc from 'fast-check';

/**
 * Leaf values a careless server chokes on. Lengths sit just past the API's limits (256, 1000,
 * 1,000,000) and at sizes that stress parsing; the characters are those that break SQL, full-text
 * queries, JSON columns and UTF-8 conversion.
 */

/** Any UTF-16 code unit, lone surrogates included (JSON.stringify sends them as \udXXX escapes). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\uD83D',
  '👩‍💻🚀',
  'e\u0301\u0301\u0301',
  '\u202Eevil\u202C',
  '\u200B\uFEFF',
  '\\',
  '\\u0000',
  "'",
  '"',
  "'; DROP TABLE sessions; --",
  "' OR '1'='1",
  '%',
  '_%_',
  '$1',
  '${jndi:x}',
  '{{x}}',
  '<script>alert(1)</script>',
  '!',
  '&|:*!()',
  '"unclosed',
  '-',
  'or',
  ':',
  'team:"',
  'a:b:c',
  '(((',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  '0',
  '-1',
  '9'.repeat(40),
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  'ffffffff',
  'fffffff',
  'gggggggg',
  '12345678-',
  '1234-5678',
  '  12345678  ',
  '0000-01-01T00:00:00.000Z',
] as const;

const longString = fc
  .tuple(fc.constantFrom(257, 1001, 5000, 65_537, 1_000_001), fc.constantFrom('a', 'é', '😀', '\u0000', ' '))
  .map(([length, unit]) => unit.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 1, arbitrary: longString },
);

const SPECIAL_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-7,
  100,
  101,
  500,
  501,
  1000,
  1001,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53),
  1e9,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
] as const;

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
  { weight: 2, arbitrary: fc.integer() },
  // JSON has no NaN or Infinity: JSON.stringify turns them into null, itself a useful probe.
  { weight: 1, arbitrary: fc.double() },
);

/** Any JSON value, of any shape: the "wrong type" in every position. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, '', 0, [null], { __proto__: null }) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
);

/** A UUID that is well-formed, or one that is almost. */
export const uuidLike: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.replaceAll('-', '')) },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.slice(0, -1)) },
  { weight: 1, arbitrary: fc.uuid().map((id) => `${id}0`) },
  { weight: 1, arbitrary: fc.uuid().map((id) => `{${id}}`) },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.replace(/[0-9a-f]/, 'g')) },
);
