import pg from 'pg';

/** PostgreSQL's type OID of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

const generalParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

const ZERO = 48;
/** What a fraction's first 1, 2 or 3 digits are worth in milliseconds. */
const MILLIS_PER_DIGIT = [100, 10, 1] as const;
const digitAt = (text: string, at: number): number => {
  const digit = text.charCodeAt(at) - ZERO;
  return digit >= 0 && digit <= 9 ? digit : NaN;
};
const numberAt = (text: string, at: number, length: number): number => {
  let value = 0;
  for (let i = at; i < at + length; i += 1) value = value * 10 + digitAt(text, i);
  return value;
};

/**
 * A `timestamptz` as PostgreSQL writes it in text (DateStyle ISO), read into a Date without the
 * general parser's regular expressions: `YYYY-MM-DD HH:MM:SS[.fraction]±HH[:MM]`, whatever the
 * session's time zone. Every page of sessions reads hundreds of them, and the general parser was
 * the largest single cost of reading rows (docs/performance.md). Anything else (years before
 * 1000, BC, infinity, offsets with seconds) goes to the general parser, which gives the same
 * value for every form it also accepts (test/db/timestamps.test.ts).
 */
export function parseTimestamptz(text: string): Date | number | null {
  const length = text.length;
  // The date and time separators where DateStyle ISO puts them: `-` `-` ` ` `:` `:`.
  const shaped =
    length >= 22 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58;
  const year = shaped ? numberAt(text, 0, 4) : NaN;
  if (!(year >= 1000)) return generalParser(text);
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 46) {
    at += 1;
    const start = at;
    while (at < length && digitAt(text, at) >= 0) at += 1;
    const digits = at - start;
    if (digits === 0) return generalParser(text);
    // Milliseconds from the first three digits (Date holds no finer time; the rest truncates).
    millis = numberAt(text, start, Math.min(digits, 3)) * MILLIS_PER_DIGIT[Math.min(digits, 3) - 1]!;
  }
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return generalParser(text);
  const offsetHours = numberAt(text, at + 1, 2);
  let offsetMinutes = 0;
  if (at + 3 === length) {
    // ±HH
  } else if (at + 6 === length && text.charCodeAt(at + 3) === 58) {
    offsetMinutes = numberAt(text, at + 4, 2);
  } else {
    return generalParser(text);
  }
  const utc = Date.UTC(
    year,
    numberAt(text, 5, 2) - 1,
    numberAt(text, 8, 2),
    numberAt(text, 11, 2),
    numberAt(text, 14, 2),
    numberAt(text, 17, 2),
    millis,
  );
  const offset = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const time = utc - offset;
  // A digit that was not one (NaN) leaves the text to the general parser.
  return Number.isNaN(time) ? generalParser(text) : new Date(time);
}

/** The type parsers of the row reader's statements: pg's own, with the fast `timestamptz`. */
function rowTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === TIMESTAMPTZ_OID && format !== 'binary') return parseTimestamptz;
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
}
export const ROW_TYPES = { getTypeParser: rowTypeParser as typeof pg.types.getTypeParser };
