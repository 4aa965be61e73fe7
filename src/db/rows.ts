import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/**
 * Runs one statement ($1-style text and its values) on the database behind a Prisma client;
 * `prepared` asks for a named statement, parsed once per connection (a driver may ignore it).
 */
export type RowReader = (text: string, values: unknown[], prepared: boolean) => Promise<Record<string, unknown>[]>;

export interface ReadOptions {
  /**
   * The statement's text never varies, only its values: PostgreSQL prepares it once per
   * connection instead of parsing and planning it for every request. Only for fixed texts, as
   * every distinct prepared text stays in each connection (the readers cap how many).
   */
  prepared?: boolean;
}

const readers = new WeakMap<PrismaClient, RowReader>();

/** Lets readRows reach `prisma`'s own connections (the pg pool, or PGlite) directly. */
export function registerRowReader(prisma: PrismaClient, reader: RowReader): void {
  readers.set(prisma, reader);
}

/**
 * The rows of a raw statement as plain objects, straight from the driver (`pg`, or PGlite), on the
 * connections Prisma uses: for the hot read paths of every list request (authentication, the
 * workspace, the page, the page's details), where Prisma's raw-query result mapping cost more CPU
 * than the statements themselves (docs/performance.md). The statements cast what they return to
 * types both drivers give alike (text, int4, float8, json, timestamptz as Date). Statements are
 * counted and time-limited as Prisma's are (db/client.ts); a transaction client, or a client that
 * registered no reader, runs the statement through Prisma instead.
 */
export async function readRows<Row>(
  prisma: PrismaClient | Prisma.TransactionClient,
  query: Prisma.Sql,
  options: ReadOptions = {},
): Promise<Row[]> {
  const reader = readers.get(prisma as PrismaClient);
  if (!reader) return (prisma as PrismaClient).$queryRaw<Row[]>(query);
  return (await reader(query.text, query.values, options.prepared === true)) as Row[];
}
