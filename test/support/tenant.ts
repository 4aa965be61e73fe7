import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { MembershipRole, TokenKind } from '../../src/generated/prisma/enums.js';
import { bootstrap } from '../../src/admin/provision.js';

export interface Member {
  userId: string;
  email: string;
  token: string;
  role: MembershipRole;
}

export interface Tenant {
  org: string;
  workspace: string;
  workspaceId: string;
  members: Member[];
}

export const uniqueSuffix = () => randomBytes(5).toString('hex');

/**
 * A fresh org and workspace with one member per requested role, each with a token. Slugs and
 * emails are unique, so tests sharing a database never see each other's data.
 */
export async function createTenant(
  prisma: PrismaClient,
  members: { role: MembershipRole; tokenKind?: TokenKind }[] = [{ role: 'CONTRIBUTOR' }],
  slugs: { org?: string; workspace?: string } = {},
): Promise<Tenant> {
  const suffix = uniqueSuffix();
  const org = slugs.org ?? `org-${suffix}`;
  const workspace = slugs.workspace ?? `ws-${suffix}`;
  const created: Member[] = [];
  let workspaceId = '';
  for (const [i, member] of members.entries()) {
    const email = `user${i}-${suffix}@example.com`;
    const result = await bootstrap(prisma, {
      org,
      workspace,
      email,
      role: member.role,
      tokenKind: member.tokenKind ?? 'USER',
    });
    workspaceId = result.workspaceId;
    created.push({ userId: result.userId, email, token: result.token, role: member.role });
  }
  return { org, workspace, workspaceId, members: created };
}
