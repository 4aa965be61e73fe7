import { workspaceAccess, type WorkspaceAccess } from '../auth/access.js';
import type { Context } from '../context.js';

/** The caller's access to the workspace named by a field's `org` and `workspace` arguments. */
export function accessFor(ctx: Context, args: { org: string; workspace: string }): Promise<WorkspaceAccess> {
  return workspaceAccess(ctx.prisma, ctx.principal, args.org, args.workspace);
}
