import type { PrismaClient, User } from '../generated/prisma/client.js';

/** Users by id in one statement (session owners shown as `creator`); null for an id with no user. */
export async function loadUsers(prisma: PrismaClient, ids: readonly string[]): Promise<(User | null)[]> {
  const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
  const byId = new Map(users.map((user) => [user.id, user]));
  return ids.map((id) => byId.get(id) ?? null);
}
