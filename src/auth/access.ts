import type { MembershipRole, SessionOrigin, TokenKind } from '../generated/prisma/enums.js';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { readRows } from '../db/rows.js';
import { AppError, forbidden, notFound, unauthenticated } from '../errors.js';
import { membershipKey, type Principal } from './principal.js';

/**
 * The access rules of the API, in one place. Every path that touches sessions (queries,
 * mutations, lazy fields, federation) goes through these functions.
 */

/** A principal's standing in one workspace. */
export interface WorkspaceAccess {
  principal: Principal;
  workspaceId: string;
  role: MembershipRole;
}

export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated('Authentication required: send "Authorization: Bearer <token>"', false);
  return principal;
}

interface WorkspaceRow {
  workspaceId: string | null;
  role: MembershipRole | null;
}

/**
 * Finds the workspace by its slugs and the caller's membership in it: among the memberships read
 * with the token when it is there, else in one statement.
 * Unknown org or workspace is NOT_FOUND; an existing workspace the caller is not a member of is
 * FORBIDDEN.
 */
export async function workspaceAccess(
  prisma: PrismaClient,
  principal: Principal | null,
  org: string,
  workspace: string,
): Promise<WorkspaceAccess> {
  const caller = requirePrincipal(principal);
  const known = caller.memberships?.get(membershipKey(org, workspace));
  if (known) return { principal: caller, workspaceId: known.workspaceId, role: known.role };
  // Not among the memberships read with the token: which answer it is (no such org or workspace,
  // or not a member) takes a statement, as does any workspace of a user with very many.
  const rows = await readRows<WorkspaceRow>(
    prisma,
    Prisma.sql`
    SELECT w.id::text AS "workspaceId", m.role::text AS "role"
      FROM organizations o
      LEFT JOIN workspaces w ON w.org_id = o.id AND w.slug = ${workspace}
      LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = ${caller.userId}::uuid
     WHERE o.slug = ${org}`,
    // A fixed text: prepared once per connection (db/rows.ts).
    { prepared: true },
  );
  const row = rows[0];
  if (!row) throw notFound('Organization');
  if (!row.workspaceId) throw notFound('Workspace');
  if (!row.role) throw forbidden('You are not a member of this workspace');
  return { principal: caller, workspaceId: row.workspaceId, role: row.role };
}

/**
 * The visibility predicate, over `sessions s`: sessions of the workspace that are WORKSPACE, or
 * the caller's own (PRIVATE ones included). Every read path (session, sessions, totalCount,
 * facets, prefixes, mutations) filters with it.
 */
export function visibleSessionsSql(access: WorkspaceAccess): Prisma.Sql {
  return Prisma.sql`(s.workspace_id = ${access.workspaceId}::uuid AND ${visibleToUser(access.principal.userId)})`;
}

/**
 * The same predicate when no workspace is named (federation's `_entities` get bare ids): the
 * session's workspace must be one the caller is a member of, with the same PRIVATE/WORKSPACE rule.
 */
export function visibleToMemberSql(principal: Principal): Prisma.Sql {
  return Prisma.sql`(EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = s.workspace_id AND m.user_id = ${principal.userId}::uuid) AND ${visibleToUser(principal.userId)})`;
}

const visibleToUser = (userId: string) => Prisma.sql`(s.visibility = 'WORKSPACE' OR s.user_id = ${userId}::uuid)`;

/** visibleToUser for a row at hand: live feeds check every event they are about to deliver with it. */
export function canSee(principal: Principal, session: { visibility: string; userId: string | null }): boolean {
  return session.visibility === 'WORKSPACE' || session.userId === principal.userId;
}

/**
 * Whether a live subscription may go on: the caller's token is still usable, they are still a
 * member of the workspace and (for a session's feed) can still see the session. One statement,
 * run by every open feed on a bounded interval.
 */
export async function liveAccessHolds(prisma: PrismaClient, access: WorkspaceAccess, sessionId?: string): Promise<boolean> {
  const session = sessionId
    ? Prisma.sql`AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = ${sessionId}::uuid AND ${visibleSessionsSql(access)})`
    : Prisma.empty;
  const [row] = await prisma.$queryRaw<{ holds: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM api_tokens t JOIN memberships m ON m.user_id = t.user_id
       WHERE t.id = ${access.principal.tokenId}::uuid AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
         AND m.workspace_id = ${access.workspaceId}::uuid ${session}
    ) AS "holds"`;
  return row?.holds === true;
}

/** READER reads only; CONTRIBUTOR and ADMIN may create and change their own sessions. */
export function requireWriter(access: WorkspaceAccess): void {
  if (access.role === 'READER') throw forbidden('Your role in this workspace (READER) cannot change sessions');
}

/** What a caller can do to a session they can see. */
export type SessionChange = 'update' | 'visibility' | 'archive' | 'unarchive' | 'freeze' | 'delete' | 'append';

// An ADMIN may act on other members' WORKSPACE sessions, except to change who can see them or to
// write their transcript: those stay with the owner.
const ADMIN_MAY: ReadonlySet<SessionChange> = new Set(['update', 'archive', 'unarchive', 'freeze', 'delete']);

/**
 * Roles (docs/api.md): READER never writes; owners change their own sessions; an ADMIN may also
 * update, archive, unarchive, freeze and delete others' WORKSPACE sessions. Only sessions the
 * caller can see reach this check (others are NOT_FOUND before it).
 */
export function requireCanChange(
  access: WorkspaceAccess,
  session: { userId: string | null; visibility: string },
  change: SessionChange,
): void {
  requireWriter(access);
  if (session.userId === access.principal.userId) return;
  if (access.role === 'ADMIN' && session.visibility === 'WORKSPACE' && ADMIN_MAY.has(change)) return;
  throw forbidden(`Only the owner${ADMIN_MAY.has(change) ? ' or a workspace ADMIN' : ''} can ${CHANGE_VERB[change]} this session`);
}

const CHANGE_VERB: Record<SessionChange, string> = {
  update: 'update',
  visibility: 'change the visibility of',
  archive: 'archive',
  unarchive: 'unarchive',
  freeze: 'freeze',
  delete: 'delete',
  append: 'append to the transcript of',
};

/**
 * Origins a token kind may write (SES-ORG-004): what it may save (new sessions and retries) and
 * append transcripts to. Metadata changes (title, labels, visibility, archive, freeze, delete)
 * follow the role rules above with any token kind.
 */
const ORIGINS_BY_TOKEN_KIND: Record<TokenKind, readonly SessionOrigin[] | 'any'> = {
  USER: ['USER'],
  WORKER: ['USER', 'WORKER'],
  SERVICE: 'any',
};

export function requireOriginAllowed(principal: Principal, origin: SessionOrigin): void {
  const allowed = ORIGINS_BY_TOKEN_KIND[principal.tokenKind];
  if (allowed !== 'any' && !allowed.includes(origin)) {
    throw new AppError(
      'FORBIDDEN',
      `A ${principal.tokenKind} token cannot save or append to sessions of origin ${origin} (it writes ${allowed.join(' and ')} sessions only)`,
    );
  }
}
