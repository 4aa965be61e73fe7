import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { readRows } from '../db/rows.js';
import type { MembershipRole, TokenKind } from '../generated/prisma/enums.js';
import { unauthenticated } from '../errors.js';
import { hashToken } from './tokens.js';
import type { VerifiedTokens } from './verified-tokens.js';

/** A workspace the caller is a member of, and their role there. */
export interface Membership {
  workspaceId: string;
  role: MembershipRole;
}

/** Who is calling: the token's user and the token's kind. */
export interface Principal {
  userId: string;
  email: string;
  tokenId: string;
  tokenKind: TokenKind;
  /**
   * The user's memberships, read with the token (keyed by membershipKey), so that a request
   * naming one of them needs no statement of its own to find it (auth/access.ts). Absent when the
   * user has more than MAX_MEMBERSHIPS_READ of them, or when the principal was made otherwise.
   */
  memberships?: ReadonlyMap<string, Membership>;
}

/** The memberships read with a token at most; a user with more finds each workspace by a statement. */
export const MAX_MEMBERSHIPS_READ = 100;

/** The key of a workspace among a principal's memberships: its org's slug and its own. */
export const membershipKey = (org: string, workspace: string) => `${org}\u0000${workspace}`;

interface TokenRow {
  id: string;
  userId: string;
  email: string;
  kind: TokenKind;
  usable: boolean;
  /** [org slug, workspace slug, workspace id, role]; null past MAX_MEMBERSHIPS_READ. */
  memberships: [string, string, string, MembershipRole][] | null;
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
 * One SQL statement: it reads the token, its user and the user's memberships (so the workspace a
 * request names is usually known without another statement), and records `last_used_at` at most
 * once a minute per token (a data-modifying CTE), so authentication costs the same on every request.
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
    SELECT f.id::text AS "id", f.user_id::text AS "userId", f.email, f.kind::text AS "kind", f.usable,
           (SELECT CASE WHEN count(*) <= ${MAX_MEMBERSHIPS_READ}
                        THEN COALESCE(json_agg(json_build_array(o.slug, w.slug, w.id::text, m.role::text)), '[]'::json) END
              FROM memberships m JOIN workspaces w ON w.id = m.workspace_id JOIN organizations o ON o.id = w.org_id
             WHERE m.user_id = f.user_id AND f.usable) AS "memberships"
      FROM found f`,
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
  return {
    userId: row.userId,
    email: row.email,
    tokenId: row.id,
    tokenKind: row.kind,
    ...(row.memberships
      ? {
          memberships: new Map(
            row.memberships.map(([org, workspace, workspaceId, role]) => [membershipKey(org, workspace), { workspaceId, role }]),
          ),
        }
      : {}),
  };
}
