import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../../src/db/timestamps.js';

const general = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** A timestamptz as PostgreSQL writes it (DateStyle ISO) in a session of the given offset. */
function pgText(time: number, offsetMinutes: number, fractionDigits: number): string {
  const local = new Date(time + offsetMinutes * 60_000);
  const micros = (((time % 1000) + 1000) % 1000) * 1000 + (fractionDigits > 3 ? 123 : 0);
  const fraction = fractionDigits === 0 ? '' : `.${pad(micros, 6).slice(0, fractionDigits)}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(abs / 60), 2)}${abs % 60 === 0 ? '' : `:${pad(abs % 60, 2)}`}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)} ` +
    `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}${fraction}${offset}`
  );
}

const valueOf = (parsed: Date | number | null) => (parsed instanceof Date ? parsed.getTime() : parsed);

describe('the fast timestamptz parser of the row reader', () => {
  it('reads every ISO form PostgreSQL writes as the general parser does: offsets, fractions, any year from 1000', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: -15 * 60, max: 15 * 60 }),
        fc.integer({ min: 0, max: 6 }),
        (time, offsetMinutes, fractionDigits) => {
          const text = pgText(time, offsetMinutes, fractionDigits);
          const parsed = parseTimestamptz(text);
          expect(parsed).toBeInstanceOf(Date);
          expect(valueOf(parsed), text).toBe(valueOf(general(text)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hands every other form to the general parser', () => {
    for (const text of [
      'infinity',
      '-infinity',
      '0044-03-15 12:00:00+00 BC',
      '0099-01-01 00:00:00+00',
      '2026-12-01 05:52:24.65+05:30:15',
      '2026-12-01 05:52:24.+00',
      '2026-12-01T05:52:24Z',
      '2026-13-01 05:52:24+00',
    ]) {
      expect(valueOf(parseTimestamptz(text)), text).toEqual(valueOf(general(text)));
    }
  });
});
