import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { readRows } from '../db/rows.js';
import type { TokenKind } from '../generated/prisma/enums.js';
import { unauthenticated } from '../errors.js';
import { hashToken } from './tokens.js';
import type { VerifiedTokens } from './verified-tokens.js';

/** Who is calling: the token's user and the token's kind. */
export interface Principal {
  userId: string;
  email: string;
  tokenId: string;
  tokenKind: TokenKind;
}

interface TokenRow {
  id: string;
  userId: string;
  email: string;
  kind: TokenKind;
  usable: boolean;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The secret of a well-formed `Bearer <token>` header; undefined for anything else. */
export function bearerToken(authorization: string): string | undefined {
  return BEARER.exec(authorization)?.[1];
}

/**
 * Resolves the Authorization header to a principal. No header means an anonymous request (null);
 * a header that is malformed, or a token that is unknown, expired or revoked fails the request
 * with UNAUTHENTICATED and HTTP 401.
 *
 * One SQL statement: it reads the token and its user, and records `last_used_at` at most once a
 * minute per token (a data-modifying CTE), so authentication costs the same on every request.
 *
 * `verified` (the rate limiter's) learns the outcome: a success adds the token's hash, a failure
 * removes it, so a token revoked since its last success is back on the address's budget.
 */
export async function authenticate(
  prisma: PrismaClient,
  authorization: string | null,
  verified?: VerifiedTokens,
): Promise<Principal | null> {
  if (authorization === null || authorization.trim() === '') return null;
  const token = bearerToken(authorization);
  if (!token) throw unauthenticated('Authorization header must be "Bearer <token>"', true);
  const tokenHash = hashToken(token);
  const rows = await readRows<TokenRow>(
    prisma,
    Prisma.sql`
    WITH found AS (
      SELECT t.id, t.user_id, u.email, t.kind, t.last_used_at,
             (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) AS usable
        FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ${tokenHash}
    ), touched AS (
      UPDATE api_tokens SET last_used_at = now()
       WHERE id IN (SELECT id FROM found
                     WHERE usable AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))
    )
    SELECT id::text AS "id", user_id::text AS "userId", email, kind::text AS "kind", usable FROM found`,
    // A fixed text: prepared once per connection (db/rows.ts).
    { prepared: true },
  );
  const row = rows[0];
  // One message for all three cases: a caller learns nothing about which tokens exist.
  if (!row || !row.usable) {
    verified?.delete(tokenHash);
    throw unauthenticated('Invalid, expired or revoked token', true);
  }
  verified?.add(tokenHash);
  return { userId: row.userId, email: row.email, tokenId: row.id, tokenKind: row.kind };
}
