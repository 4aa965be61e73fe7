import { requirePrincipal } from '../auth/access.js';
import type { Context } from '../context.js';
import { builder } from './builder.js';
import { atMost } from './list-bounds.js';

/** What `node`/`nodes` and the Node interface resolve to: one of the types that implement it. */
export interface NodeValue {
  id: string;
}

/**
 * Relay's global object identification. Sessions, messages and users are Nodes; their ids are the
 * UUIDs they have always had: unique across every type by construction, so a raw UUID is a valid
 * global id (and the REST-shaped inputs, id prefixes and the federation key keep working).
 */
export const NodeRef = builder.interfaceRef<NodeValue>('Node').implement({
  description: 'An object with an id that is unique across every type of the API (a UUID), which node(id:) finds again.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Unique across every type; stable for the life of the object.' }),
  }),
  // Rows tell their type by what they hold: messages have a seq, sessions a workspace, users an email.
  resolveType: (value) => ('seq' in value ? 'Message' : 'workspaceId' in value ? 'Session' : 'User'),
});

/** The largest `nodes(ids:)` list (list bounds, list-bounds.ts). */
export const MAX_NODES = 100;

/** A session, message or user the caller may see, by id; null for any other id. */
async function findNode(ctx: Context, id: string): Promise<NodeValue | null> {
  const [session, message, user] = await Promise.all([
    ctx.loaders.visibleSession.load(id),
    ctx.loaders.visibleMessage.load(id),
    ctx.loaders.visibleUser.load(id),
  ]);
  return session ?? message ?? user;
}

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description:
      'The session, message or user with this id, under the rules of the fields that show it: a session you can see, a message of one, a user who shares a workspace with you. Null for any other id. Needs a token.',
    args: { id: t.arg.id({ required: true, description: 'An id as a Node’s id field returns it.' }) },
    resolve: (_root, args, ctx) => {
      requirePrincipal(ctx.principal);
      return findNode(ctx, String(args.id));
    },
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'node(id:) for each id, in order, in one round trip (one statement per type for all of them). Needs a token.',
    args: { ids: t.arg.idList({ required: true, ...atMost(MAX_NODES, 'Ids as Node id fields return them.') }) },
    resolve: (_root, args, ctx) => {
      requirePrincipal(ctx.principal);
      return Promise.all(args.ids.map((id) => findNode(ctx, String(id))));
    },
  }),
}));
