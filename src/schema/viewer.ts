import { requirePrincipal } from '../auth/access.js';
import { loadViewer, type Membership, type Viewer } from '../sessions/users.js';
import { builder } from './builder.js';
import { MembershipRoleEnum, TokenKindEnum } from './enums.js';
import { UserRef } from './user.js';

const WorkspaceMembershipRef = builder.objectRef<Membership>('WorkspaceMembership').implement({
  description: 'A workspace the caller belongs to; `org` and `workspace` are the slugs the other fields take.',
  fields: (t) => ({
    org: t.exposeString('org', { description: 'The organization’s slug.' }),
    orgName: t.exposeString('orgName', { description: 'The organization’s name.' }),
    workspace: t.exposeString('workspace', { description: 'The workspace’s slug.' }),
    workspaceName: t.exposeString('workspaceName', { description: 'The workspace’s name.' }),
    role: t.expose('role', { type: MembershipRoleEnum, description: 'The caller’s role there.' }),
  }),
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description:
    'The caller: its user (the same User a session’s creator is) and what only the caller sees of itself: the token kind and the workspace memberships. Not an entity (no id): it is the caller’s, whoever that is.',
  fields: (t) => ({
    user: t.field({ type: UserRef, description: 'The token’s user.', resolve: (viewer) => viewer.user }),
    tokenKind: t.expose('tokenKind', { type: TokenKindEnum, description: 'The kind of the token the request carries.' }),
    memberships: t.field({
      type: [WorkspaceMembershipRef],
      description: 'The workspaces the caller belongs to, by org and workspace slug.',
      resolve: (viewer) => viewer.memberships,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The caller. Needs a token (UNAUTHENTICATED otherwise).',
    resolve: (_root, _args, ctx) => loadViewer(ctx.prisma, requirePrincipal(ctx.principal)),
  }),
);
