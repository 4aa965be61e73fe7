import type { Principal } from '../auth/principal.js';
import { notFound } from '../errors.js';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import type { MembershipRole, TokenKind } from '../generated/prisma/enums.js';

export interface Membership {
  org: string;
  orgName: string;
  workspace: string;
  workspaceName: string;
  role: MembershipRole;
}

/** The caller: its user, its token's kind and its workspaces. */
export interface Viewer {
  user: User;
  tokenKind: TokenKind;
  memberships: Membership[];
}

/** The caller's user and memberships in one statement, memberships ordered by org and workspace slug. */
export async function loadViewer(prisma: PrismaClient, principal: Principal): Promise<Viewer> {
  const found = await prisma.user.findUnique({
    where: { id: principal.userId },
    include: { memberships: { include: { workspace: { include: { org: true } } } } },
  });
  if (!found) throw notFound('User');
  const { memberships, ...user } = found;
  return {
    user,
    tokenKind: principal.tokenKind,
    memberships: memberships
      .map((m) => ({
        org: m.workspace.org.slug,
        orgName: m.workspace.org.name,
        workspace: m.workspace.slug,
        workspaceName: m.workspace.name,
        role: m.role,
      }))
      .sort((a, b) => (a.org + '/' + a.workspace < b.org + '/' + b.workspace ? -1 : 1)),
  };
}
