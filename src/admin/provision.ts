import type { MembershipRole, TokenKind } from '../generated/prisma/enums.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { generateToken, hashToken } from '../auth/tokens.js';

export interface BootstrapInput {
  org: string;
  workspace: string;
  email: string;
  role: MembershipRole;
  tokenKind: TokenKind;
  tokenName?: string;
  /** A fixed secret (DEMO_TOKEN); a new random one when absent. */
  token?: string;
  expiresAt?: Date | null;
}

export interface BootstrapResult {
  orgId: string;
  workspaceId: string;
  userId: string;
  token: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

export function checkBootstrapInput(input: BootstrapInput): void {
  if (!SLUG.test(input.org)) throw new ProvisionError(`--org must match ${SLUG.source}`);
  if (!SLUG.test(input.workspace)) throw new ProvisionError(`--workspace must match ${SLUG.source}`);
  if (!/^[^\s@]+@[^\s@]+$/.test(input.email)) throw new ProvisionError('--email must be an email address');
}

/**
 * Creates whatever is missing of org, workspace, user and membership (idempotent; an existing
 * membership gets the requested role) and mints a new token. Returns the token secret, which is
 * stored only as its SHA-256.
 */
export async function bootstrap(prisma: PrismaClient, input: BootstrapInput): Promise<BootstrapResult> {
  checkBootstrapInput(input);
  const token = input.token ?? generateToken();
  return prisma.$transaction(async (tx) => {
    const org = await tx.organization.upsert({
      where: { slug: input.org },
      create: { slug: input.org, name: input.org },
      update: {},
    });
    const workspace = await tx.workspace.upsert({
      where: { orgId_slug: { orgId: org.id, slug: input.workspace } },
      create: { orgId: org.id, slug: input.workspace, name: input.workspace },
      update: {},
    });
    const email = input.email.toLowerCase();
    const user = await tx.user.upsert({
      where: { email },
      create: { email, username: email.split('@')[0] ?? email },
      update: {},
    });
    await tx.membership.upsert({
      where: { workspaceId_userId: { workspaceId: workspace.id, userId: user.id } },
      create: { workspaceId: workspace.id, userId: user.id, role: input.role },
      update: { role: input.role },
    });
    await tx.apiToken.create({
      data: {
        userId: user.id,
        tokenHash: hashToken(token),
        kind: input.tokenKind,
        name: input.tokenName ?? `${input.tokenKind.toLowerCase()} token for ${email}`,
        expiresAt: input.expiresAt ?? null,
      },
    });
    return { orgId: org.id, workspaceId: workspace.id, userId: user.id, token };
  });
}

/** Revokes a token by its secret; true when a live token was revoked. */
export async function revokeToken(prisma: PrismaClient, token: string): Promise<boolean> {
  const { count } = await prisma.apiToken.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}

export const DEMO_TENANT = { org: 'demo', workspace: 'main', email: 'demo@example.com' } as const;

/**
 * Embedded mode, first start: an empty database gets the demo tenant and its token.
 * Returns the token when it seeded, null when the database already had data.
 */
export async function seedDemoTenant(prisma: PrismaClient, token: string | undefined): Promise<string | null> {
  if ((await prisma.organization.count()) > 0) return null;
  const result = await bootstrap(prisma, {
    ...DEMO_TENANT,
    role: 'ADMIN',
    tokenKind: 'USER',
    tokenName: 'demo token',
    ...(token ? { token } : {}),
  });
  return result.token;
}
