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

/** What the start did about the demo tenant's token (embedded mode). */
export type DemoToken =
  /** Minted now (an empty database, or DEMO_TOKEN not yet stored): shown once. */
  | { state: 'minted'; token: string }
  /** DEMO_TOKEN is stored and works. */
  | { state: 'usable'; token: string }
  /** DEMO_TOKEN is stored but revoked or expired: it is not minted again, nor offered. */
  | { state: 'unusable'; token: string }
  /** No DEMO_TOKEN, and the database already has data. */
  | { state: 'none' };

/**
 * Embedded mode, at every start. With DEMO_TOKEN, that token must work wherever the database came
 * from (`admin bootstrap` may have created another tenant first): if no token has its hash, the
 * missing pieces of the demo tenant are created and the token added. A stored one is left as it
 * is, even revoked or expired: someone revoked it, and a restart must not bring it back.
 * Without DEMO_TOKEN, an empty database gets the demo tenant and a random token.
 */
export async function seedDemoTenant(prisma: PrismaClient, token: string | undefined): Promise<DemoToken> {
  if (token) {
    const stored = await prisma.apiToken.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { revokedAt: true, expiresAt: true },
    });
    if (stored) {
      const usable = stored.revokedAt === null && (stored.expiresAt === null || stored.expiresAt > new Date());
      return { state: usable ? 'usable' : 'unusable', token };
    }
  } else if ((await prisma.organization.count()) > 0) {
    return { state: 'none' };
  }
  const result = await bootstrap(prisma, {
    ...DEMO_TENANT,
    role: 'ADMIN',
    tokenKind: 'USER',
    tokenName: 'demo token',
    ...(token ? { token } : {}),
  });
  return { state: 'minted', token: result.token };
}
