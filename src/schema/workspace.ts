import type { GraphQLResolveInfo } from 'graphql';
import { workspaceAccess, type WorkspaceAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import { builder } from './builder.js';

/** The slugs of the workspace a field works in: every workspace-scoped field takes them. */
export const workspaceArgs = builder.args((t) => ({
  org: t.string({ required: true, description: 'The organization’s slug (viewer.memberships lists yours).' }),
  workspace: t.string({ required: true, description: 'The workspace’s slug within the organization.' }),
}));

interface WorkspaceSlugs {
  org: string;
  workspace: string;
}

/**
 * The resolver of a workspace-scoped field. The caller's access to the workspace its `org` and
 * `workspace` arguments name is settled first (UNAUTHENTICATED, NOT_FOUND or FORBIDDEN end the
 * field there), and `resolve` gets it: the domain functions take a WorkspaceAccess, so a field
 * cannot reach them without this check. test/schema/workspace-fields.test.ts holds every field
 * that takes the slugs to it.
 */
export function inWorkspace<Args extends WorkspaceSlugs, Result>(
  resolve: (access: WorkspaceAccess, args: Args, ctx: Context, info: GraphQLResolveInfo) => Result | Promise<Result>,
): (parent: unknown, args: Args, ctx: Context, info: GraphQLResolveInfo) => Promise<Result> {
  return async (_parent, args, ctx, info) =>
    resolve(await workspaceAccess(ctx.prisma, ctx.principal, args.org, args.workspace), args, ctx, info);
}
