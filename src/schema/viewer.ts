import type { MembershipRole, TokenKind } from '../generated/prisma/enums.js';
import { requirePrincipal } from '../auth/access.js';
import { notFound } from '../errors.js';
import { builder } from './builder.js';
import { MembershipRoleEnum, TokenKindEnum } from './enums.js';

interface ViewerShape {
  id: string;
  email: string;
  username: string | null;
  fullName: string | null;
  tokenKind: TokenKind;
  memberships: MembershipShape[];
}

interface MembershipShape {
  org: string;
  orgName: string;
  workspace: string;
  workspaceName: string;
  role: MembershipRole;
}

const WorkspaceMembershipRef = builder.objectRef<MembershipShape>('WorkspaceMembership').implement({
  description: 'A workspace the caller belongs to; `org` and `workspace` are the slugs the other fields take.',
  fields: (t) => ({
    org: t.exposeString('org'),
    orgName: t.exposeString('orgName'),
    workspace: t.exposeString('workspace'),
    workspaceName: t.exposeString('workspaceName'),
    role: t.expose('role', { type: MembershipRoleEnum }),
  }),
});

const ViewerRef = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'The caller: the token\u2019s user, the token kind and the workspace memberships.',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID' }),
    email: t.exposeString('email'),
    username: t.exposeString('username', { nullable: true }),
    fullName: t.exposeString('fullName', { nullable: true }),
    tokenKind: t.expose('tokenKind', { type: TokenKindEnum }),
    memberships: t.field({ type: [WorkspaceMembershipRef], resolve: (viewer) => viewer.memberships }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'The caller. Needs a token.',
    resolve: async (_root, _args, ctx) => {
      const principal = requirePrincipal(ctx.principal);
      const user = await ctx.prisma.user.findUnique({
        where: { id: principal.userId },
        include: { memberships: { include: { workspace: { include: { org: true } } } } },
      });
      if (!user) throw notFound('User');
      const memberships = user.memberships
        .map((m) => ({
          org: m.workspace.org.slug,
          orgName: m.workspace.org.name,
          workspace: m.workspace.slug,
          workspaceName: m.workspace.name,
          role: m.role,
        }))
        .sort((a, b) => (a.org + '/' + a.workspace < b.org + '/' + b.workspace ? -1 : 1));
      return {
        id: user.id,
        email: user.email,
        username: user.username,
        fullName: user.fullName,
        tokenKind: principal.tokenKind,
        memberships,
      };
    },
  }),
);
