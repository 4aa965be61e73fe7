import type { PrismaClient } from '../generated/prisma/client.js';
import type { TokenKind } from '../generated/prisma/enums.js';
import { unauthenticated } from '../errors.js';
import { hashToken } from './tokens.js';

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

/**
 * Resolves the Authorization header to a principal. No header means an anonymous request (null);
 * a header that is malformed, or a token that is unknown, expired or revoked fails the request
 * with UNAUTHENTICATED and HTTP 401.
 *
 * One SQL statement: it reads the token and its user, and records `last_used_at` at most once a
 * minute per token (a data-modifying CTE), so authentication costs the same on every request.
 */
export async function authenticate(prisma: PrismaClient, authorization: string | null): Promise<Principal | null> {
  if (authorization === null || authorization.trim() === '') return null;
  const match = BEARER.exec(authorization);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"', true);
  const rows = await prisma.$queryRaw<TokenRow[]>`
    WITH found AS (
      SELECT t.id, t.user_id, u.email, t.kind, t.last_used_at,
             (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) AS usable
        FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ${hashToken(match[1])}
    ), touched AS (
      UPDATE api_tokens SET last_used_at = now()
       WHERE id IN (SELECT id FROM found
                     WHERE usable AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))
    )
    SELECT id::text AS "id", user_id::text AS "userId", email, kind::text AS "kind", usable FROM found`;
  const row = rows[0];
  // One message for all three cases: a caller learns nothing about which tokens exist.
  if (!row || !row.usable) throw unauthenticated('Invalid, expired or revoked token', true);
  return { userId: row.userId, email: row.email, tokenId: row.id, tokenKind: row.kind };
}
