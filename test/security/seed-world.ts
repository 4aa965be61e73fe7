import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { bootstrap, revokeToken } from '../../src/admin/provision.js';
import { uuidWithPrefix } from '../support/ids.js';
import { uniqueSuffix } from '../support/tenant.js';
import { normalizeLabels, type ModelSession, type World } from './access-model.js';
import { PREFIX_GROUPS, PROJECTS, type WorldSpec } from './world.js';

const WORKSPACE_SLUGS = ['main', 'lab'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the scenario needs besides the model: names that exist nowhere, and how to make ids. */
export interface SeededWorld {
  model: World;
  /** A slug no org has. */
  unknownOrg: string;
  /** Project ids, by index. */
  projects: string[];
  /** The 8 hex digits shared by the session ids of each prefix group. */
  groupPrefixes: string[];
}

/**
 * Writes a random world to the database: orgs and workspaces with unique slugs (workspace slugs
 * repeat across orgs on purpose), users, memberships, tokens minted through the admin
 * provisioning code (so tokens are stored as the product stores them), and sessions with labels
 * and messages inserted directly. A user without memberships was minted into the first
 * workspace and then removed from it: a former member, whose sessions stay behind.
 */
export async function seedWorld(prisma: PrismaClient, spec: WorldSpec): Promise<SeededWorld> {
  const suffix = uniqueSuffix();
  const worldHex = suffix.slice(0, 6);
  const orgs = spec.orgs.map((_, i) => `iso-${suffix}-o${i}`);
  const slots = spec.orgs.flatMap((count, i) => WORKSPACE_SLUGS.slice(0, count).map((slug) => ({ org: orgs[i]!, slug })));

  const model: World = { orgs, workspaces: [], users: [], memberships: [], tokens: [], sessions: [] };
  const workspaceIds = new Map<string, string>();
  const slotKey = (slot: { org: string; slug: string }) => `${slot.org}/${slot.slug}`;

  for (const [u, user] of spec.users.entries()) {
    const email = `iso-${suffix}-u${u}@example.com`;
    const memberOf = slots.map((slot, w) => ({ slot, role: user.roles[w] ?? null })).filter((m) => m.role !== null);
    // Tokens are minted through one membership; a user with none passes through the first workspace.
    const via = memberOf[0] ?? { slot: slots[0]!, role: 'READER' as const };
    let userId = '';
    for (const token of user.tokens) {
      const expiresAt =
        token.state === 'expired' ? new Date(Date.now() - DAY_MS) : token.state === 'expiresLater' ? new Date(Date.now() + DAY_MS) : null;
      const minted = await bootstrap(prisma, {
        org: via.slot.org,
        workspace: via.slot.slug,
        email,
        role: via.role!,
        tokenKind: token.kind,
        expiresAt,
      });
      if (token.state === 'revoked') await revokeToken(prisma, minted.token);
      userId = minted.userId;
      workspaceIds.set(slotKey(via.slot), minted.workspaceId);
      model.tokens.push({
        secret: minted.token,
        userId,
        kind: token.kind,
        usable: token.state === 'live' || token.state === 'expiresLater',
      });
    }
    if (memberOf.length === 0) {
      const workspaceId = workspaceIds.get(slotKey(via.slot))!;
      await prisma.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
    }
    model.users.push({ id: userId, email });
    for (const { slot, role } of memberOf) {
      // Creates a workspace nobody was minted through yet (bootstrap does the same upserts).
      const workspaceId = workspaceIds.get(slotKey(slot)) ?? (await ensureWorkspace(prisma, slot.org, slot.slug));
      workspaceIds.set(slotKey(slot), workspaceId);
      await prisma.membership.upsert({
        where: { workspaceId_userId: { workspaceId, userId } },
        create: { workspaceId, userId, role: role! },
        update: { role: role! },
      });
      model.memberships.push({ workspaceId, userId, role: role! });
    }
  }
  for (const slot of slots) {
    const id = workspaceIds.get(slotKey(slot)) ?? (await ensureWorkspace(prisma, slot.org, slot.slug));
    workspaceIds.set(slotKey(slot), id);
    model.workspaces.push({ id, org: slot.org, slug: slot.slug });
  }

  const projects = Array.from({ length: PROJECTS }, () => randomUUID());
  const groupPrefixes = Array.from({ length: PREFIX_GROUPS }, (_, group) => `${worldHex}a${group}`);
  for (const s of spec.sessions) {
    const owner = s.owner === null ? null : model.users[s.owner % model.users.length]!.id;
    model.sessions.push({
      id: uuidWithPrefix(groupPrefixes[s.group]!),
      workspaceId: model.workspaces[s.workspace % model.workspaces.length]!.id,
      ownerId: owner,
      visibility: s.visibility,
      origin: s.origin,
      model: s.model,
      agent: s.agent,
      title: s.titleWords.length > 0 ? s.titleWords.join(' ') : null,
      projectId: s.project === null ? null : projects[s.project]!,
      labels: normalizeLabels(s.labels),
      archived: s.archived,
      // Frozen by its owner, or by a workspace admin when the owner is gone.
      frozenBy: s.frozen ? (owner ?? model.users[0]!.id) : null,
      messageIds: Array.from({ length: s.messages }, () => randomUUID()),
    });
  }
  await insertSessions(prisma, model.sessions);
  return { model, unknownOrg: `iso-${suffix}-none`, projects, groupPrefixes };
}

async function ensureWorkspace(prisma: PrismaClient, org: string, slug: string): Promise<string> {
  const organization = await prisma.organization.upsert({ where: { slug: org }, create: { slug: org, name: org }, update: {} });
  const workspace = await prisma.workspace.upsert({
    where: { orgId_slug: { orgId: organization.id, slug } },
    create: { orgId: organization.id, slug, name: slug },
    update: {},
  });
  return workspace.id;
}

async function insertSessions(prisma: PrismaClient, sessions: ModelSession[]): Promise<void> {
  if (sessions.length === 0) return;
  const now = new Date();
  await prisma.session.createMany({
    data: sessions.map((s) => ({
      id: s.id,
      workspaceId: s.workspaceId,
      userId: s.ownerId,
      visibility: s.visibility,
      origin: s.origin,
      model: s.model,
      agent: s.agent,
      title: s.title,
      projectId: s.projectId,
      messageCount: s.messageIds.length,
      archivedAt: s.archived ? now : null,
      frozenAt: s.frozenBy ? now : null,
      frozenBy: s.frozenBy,
      lastMessageAt: s.messageIds.length > 0 ? now : null,
    })),
  });
  const labels = sessions.flatMap((s) => s.labels.flatMap((l) => l.values.map((value) => ({ sessionId: s.id, key: l.key, value }))));
  if (labels.length > 0) await prisma.sessionLabel.createMany({ data: labels });
  const messages = sessions.flatMap((s) =>
    s.messageIds.map((id, i) => ({ id, sessionId: s.id, seq: i + 1, role: 'USER' as const, content: `message ${i + 1}` })),
  );
  if (messages.length > 0) await prisma.sessionMessage.createMany({ data: messages });
}
