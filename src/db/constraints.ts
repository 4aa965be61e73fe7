/**
 * Whether `error` is a unique-constraint violation: Prisma's P2002, or the driver adapter's
 * UniqueConstraintViolation / SQLSTATE 23505 when a raw statement raised it. Writes that check
 * for an existing row first still race a concurrent insert of the same key; this tells that
 * case apart from a bug.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, meta } = error as Error & {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  };
  if (code === 'P2002') return true;
  const cause = meta?.driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505';
}
