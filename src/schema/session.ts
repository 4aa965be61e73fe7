import type { WorkspaceAccess } from '../auth/access.js';
import type { Context } from '../context.js';
import { notFound } from '../errors.js';
import type { Session } from '../generated/prisma/client.js';
import type { SessionEventKind } from '../live/events.js';
import { publishSessionChange } from '../live/publish.js';
import { MAX_FILTER_LABEL_KEYS, MAX_FILTER_VALUES } from '../sessions/filter.js';
import { DEFAULT_PAGE_SIZE, listSessions, MAX_PAGE_SIZE, type SessionPage } from '../sessions/list.js';
import { deleteSession, freezeSession, setArchived, updateSession } from '../sessions/lifecycle.js';
import { saveSession } from '../sessions/save.js';
import { findVisibleSession } from '../sessions/visible-session.js';
import { pickFrom } from '../sessions/details-loader.js';
import { nodesSelectAny } from './lookahead.js';
import { builder } from './builder.js';
import { ArchivedStateEnum, OrderDirectionEnum, SessionOrderFieldEnum, SessionOriginEnum, SessionVisibilityEnum } from './enums.js';
import { LabelFilterRef, LabelInputRef, labelsInput, SessionLabelRef } from './labels.js';
import { atMost } from './list-bounds.js';
import { NodeRef } from './node.js';
import { UserRef } from './user.js';
import { SessionUsageRef } from './usage.js';
import { inWorkspace, workspaceArgs } from './workspace.js';

const ID_OR_PREFIX = 'Full UUID or unique prefix of at least 8 hex characters, with or without dashes.';
/** The fields of Session that load through the details loader (sessions/details-loader.ts). */
const DETAILS_FIELDS = ['creator', 'labels', 'usage'] as const;

export const SessionRef = builder.prismaObject('Session', {
  description: 'A chat session between a user and an agent.',
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The UUID the client chose when it saved the session.' }),
    userId: t.expose('userId', { type: 'UUID', nullable: true, description: 'The owner’s user id; null when the user was deleted.' }),
    creator: t.field({
      type: UserRef,
      nullable: true,
      description: 'The owner; null when the user was deleted, or (with an error) when it could not be loaded. Batched per request.',
      resolve: (session, _args, ctx) =>
        session.userId ? pickFrom(ctx.loaders.details.get(session.id), (details) => details.creator) : null,
    }),
    projectId: t.expose('projectId', { type: 'UUID', nullable: true, description: 'The project the session belongs to, if any.' }),
    runtimeId: t.expose('runtimeId', { type: 'UUID', nullable: true, description: 'The runtime the session ran in, if any.' }),
    groupId: t.expose('groupId', { type: 'UUID', nullable: true, description: 'The session group, if any.' }),
    agent: t.exposeString('agent', { nullable: true, description: 'The agent’s name, at most 256 characters.' }),
    model: t.exposeString('model', { nullable: true, description: 'The model the agent used, at most 256 characters.' }),
    title: t.exposeString('title', { nullable: true, description: 'At most 1000 characters.' }),
    previewText: t.exposeString('previewText', {
      nullable: true,
      description: 'The first user message, first 200 characters; set once (SES-LST-011).',
    }),
    messageCount: t.exposeInt('messageCount', {
      description:
        'Messages the client reported on save, plus every message appended since (compaction summaries and compacted messages included: the total).',
    }),
    compactedUpToSeq: t.exposeInt('compactedUpToSeq', {
      description: 'Every message with seq up to this one is compacted (0: none). It only moves forward.',
    }),
    currentMessageCount: t.int({
      nullable: true,
      description:
        'Stored messages no compaction covers: the current era, what transcript pages through by default. Null (with an error) only when it could not be loaded. Batched per request.',
      resolve: async (session, _args, ctx) => Math.max(0, (await ctx.loaders.lastSeq.load(session.id)) - session.compactedUpToSeq),
    }),
    visibility: t.expose('visibility', { type: SessionVisibilityEnum, description: 'Who may see the session.' }),
    origin: t.expose('origin', { type: SessionOriginEnum, description: 'Who wrote the session (SES-ORG-001).' }),
    labels: t.field({
      type: [SessionLabelRef],
      nullable: true,
      description:
        'Sorted by key; values sorted (code-point order). Null (with an error) only when they could not be loaded. Batched per request.',
      resolve: (session, _args, ctx) => pickFrom(ctx.loaders.details.get(session.id), (details) => details.labels),
    }),
    usage: t.field({
      type: SessionUsageRef,
      nullable: true,
      description:
        'Totals over every stored message of the transcript, kept in step as messages are stored. Null (with an error) only when it could not be loaded. Batched per request.',
      resolve: (session, _args, ctx) => pickFrom(ctx.loaders.details.get(session.id), (details) => details.usage),
    }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'When it was archived; null when active.' }),
    frozenAt: t.expose('frozenAt', { type: 'DateTime', nullable: true, description: 'When it was frozen; null when it can change.' }),
    frozenBy: t.exposeString('frozenBy', { nullable: true, description: 'The user id of whoever froze it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was first saved.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime', nullable: true, description: 'When a message was last appended.' }),
  }),
});

// Federation: Session is an entity keyed by id. References resolve through a per-request
// DataLoader (one statement for all of them) with the same visibility rule as `session`; a session
// the caller cannot see is null, with a NOT_FOUND error at its place (schema/index.ts).
builder.asEntity(SessionRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async (reference, ctx) => {
    const session = await ctx.loaders.visibleSession.load(String(reference.id));
    if (!session) throw notFound('Session');
    return session;
  },
});

const SaveSessionInputRef = builder.inputType('SaveSessionInput', {
  description: 'A session as the client saves it. Saving the same id again is a retry (see saveSession).',
  fields: (t) => ({
    id: t.field({ type: 'UUID', required: true, description: 'Made up by the client; the session’s id from now on.' }),
    model: t.string({ required: true, description: 'Not blank; at most 256 characters.' }),
    messageCount: t.field({ type: 'NonNegativeInt', defaultValue: 0, description: 'Messages the client holds.' }),
    agent: t.string({ description: 'At most 256 characters.' }),
    title: t.string({ description: 'At most 1000 characters.' }),
    labels: t.field({ type: [LabelInputRef], ...labelsInput() }),
    origin: t.field({ type: SessionOriginEnum, defaultValue: 'USER', description: 'Must suit the token kind (SES-ORG-004).' }),
    visibility: t.field({ type: SessionVisibilityEnum, defaultValue: 'PRIVATE', description: 'Who may see it (SES-DEF-003).' }),
    projectId: t.field({ type: 'UUID', description: 'The project it belongs to.' }),
    runtimeId: t.field({ type: 'UUID', description: 'The runtime it runs in.' }),
    groupId: t.field({ type: 'UUID', description: 'The session group.' }),
  }),
});

export const SessionFilterRef = builder.inputType('SessionFilter', {
  description: 'Values OR within a dimension, dimensions AND together. Filters narrow; they never grant access.',
  fields: (t) => ({
    userIds: t.field({ type: ['UUID'], ...atMost(MAX_FILTER_VALUES, 'Owners.') }),
    projectIds: t.field({ type: ['UUID'], ...atMost(MAX_FILTER_VALUES, 'Projects (SES-LST-006).') }),
    agents: t.stringList(atMost(MAX_FILTER_VALUES, 'Agent names.')),
    models: t.stringList(atMost(MAX_FILTER_VALUES, 'Model names.')),
    origins: t.field({
      type: [SessionOriginEnum],
      ...atMost(MAX_FILTER_VALUES, 'Workload origins need includeWorkloadSessions (SES-LST-015).'),
    }),
    archived: t.field({ type: ArchivedStateEnum, defaultValue: 'ACTIVE', description: 'Active sessions only, by default.' }),
    labels: t.field({ type: [LabelFilterRef], ...atMost(MAX_FILTER_LABEL_KEYS, 'Values OR within a key, keys AND together.') }),
    search: t.string({
      description:
        'Full-text search over title, model, agent, label values and key:value pairs, in web-search syntax: words, "quoted phrases", or, -exclusion. Under 3 characters: substring match. At most 256 characters and 32 terms.',
    }),
    messageSearch: t.string({
      description:
        'Sessions with a message whose content matches, in the same syntax as search (full-text only: at least one word of 3 or more characters in each alternative). At most 256 characters and 32 terms.',
    }),
    includeWorkloadSessions: t.boolean({
      defaultValue: false,
      description: 'Also list EVAL, OPTIMIZATION, TRAINING and WORLD sessions (SES-LST-009).',
    }),
  }),
});

const SessionOrderRef = builder.inputType('SessionOrder', {
  description: 'The order of a list; ties break by id in the same direction.',
  fields: (t) => ({
    field: t.field({ type: SessionOrderFieldEnum, required: true, defaultValue: 'UPDATED_AT', description: 'What to order by.' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: 'DESC', description: 'Which way.' }),
  }),
});

builder.queryFields((t) => ({
  session: t.field({
    type: SessionRef,
    nullable: true,
    description: 'One session you can see; null with a NOT_FOUND error when there is none.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true, description: ID_OR_PREFIX }),
    },
    resolve: inWorkspace((access, args, ctx) => findVisibleSession(ctx.prisma, access, args.id)),
  }),
  sessions: t.connection(
    {
      type: SessionRef,
      nullable: true,
      description: `The sessions the caller can see, newest update first by default. Page size ${DEFAULT_PAGE_SIZE} by default, ${MAX_PAGE_SIZE} at most.`,
      // The operation cost limit (operation-limits.ts) reads the page size from here when neither first nor last is given.
      extensions: { defaultPageSize: DEFAULT_PAGE_SIZE },
      args: {
        ...workspaceArgs,
        filter: t.arg({ type: SessionFilterRef, description: 'Narrows the list; see SessionFilter.' }),
        orderBy: t.arg({ type: SessionOrderRef, description: 'UPDATED_AT DESC unless given.' }),
      },
      resolve: inWorkspace(async (access, args, ctx, info): Promise<SessionPage> => {
        const order = { field: args.orderBy?.field ?? 'UPDATED_AT', direction: args.orderBy?.direction ?? 'DESC' } as const;
        const page = await listSessions(ctx.prisma, access, args.filter, order, args);
        // Read with the page, so that its nodes' creator, labels and usage are values, not 3 promises each.
        if (nodesSelectAny(info, DETAILS_FIELDS)) await ctx.loaders.details.readAhead(page.edges.map((edge) => edge.node.id));
        return page;
      }),
    },
    {
      name: 'SessionConnection',
      description: 'A page of sessions (Relay connection): nodes or edges with cursors, and pageInfo.',
      fields: (tc) => ({
        totalCount: tc.int({
          description: 'Sessions matching the filter that the caller can see, across all pages. Counted only when asked for.',
          resolve: (page) => page.totalCount(),
        }),
      }),
    },
    { name: 'SessionEdge', description: 'A session and the cursor of its place in the list.' },
  ),
}));

const UpdateSessionInputRef = builder.inputType('UpdateSessionInput', {
  description: 'Leave a field out to keep it. null clears title and agent. labels replaces the whole set.',
  fields: (t) => ({
    title: t.string({ description: 'At most 1000 characters; null clears it.' }),
    model: t.string({ description: 'Not blank; at most 256 characters; cannot be null.' }),
    agent: t.string({ description: 'At most 256 characters; null clears it.' }),
    visibility: t.field({ type: SessionVisibilityEnum, description: 'Only the owner can change it.' }),
    labels: t.field({ type: [LabelInputRef], ...labelsInput('The new set; [] removes every label.') }),
  }),
});

const DeleteSessionPayloadRef = builder.objectRef<{ id: string }>('DeleteSessionPayload').implement({
  description: 'What deleteSession removed.',
  fields: (t) => ({
    deletedSessionId: t.exposeID('id', { description: 'The id of the session that is gone (Relay’s @deleteRecord takes it).' }),
  }),
});

/**
 * A lifecycle mutation's resolver that publishes its change once the domain function returned,
 * i.e. once its transaction committed (a write that rolled back threw and publishes nothing).
 */
function published<Args>(
  kind: SessionEventKind,
  change: (access: WorkspaceAccess, args: Args, ctx: Context) => Promise<Session>,
): (access: WorkspaceAccess, args: Args, ctx: Context) => Promise<Session> {
  return async (access, args, ctx) => {
    const session = await change(access, args, ctx);
    publishSessionChange(ctx.live.hub, kind, session);
    return session;
  };
}

/** The arguments every per-session mutation takes. */
const sessionArgs = builder.args((t) => ({
  ...workspaceArgs,
  id: t.string({ required: true, description: ID_OR_PREFIX }),
}));

// Mutation fields are nullable like query fields: a failed change is null with its error, not a
// response without data (the convention graphql-eslint's require-nullable-result-in-root states).
builder.mutationFields((t) => ({
  saveSession: t.field({
    type: SessionRef,
    nullable: true,
    description:
      'Creates the session, owned by the caller. Saving an id you own again (same workspace) is a safe retry that updates messageCount, model, agent and title.',
    args: {
      ...workspaceArgs,
      input: t.arg({ type: SaveSessionInputRef, required: true, description: 'The session.' }),
    },
    resolve: inWorkspace(async (access, args, ctx) => {
      const { session, created } = await saveSession(ctx.prisma, access, args.input);
      publishSessionChange(ctx.live.hub, created ? 'CREATED' : 'UPDATED', session);
      return session;
    }),
  }),
  updateSession: t.field({
    type: SessionRef,
    nullable: true,
    description: 'Partial update. Owners change their own sessions; an ADMIN also others’ WORKSPACE sessions. Frozen: CONFLICT.',
    args: { ...sessionArgs, input: t.arg({ type: UpdateSessionInputRef, required: true, description: 'What changes.' }) },
    resolve: inWorkspace(async (access, args, ctx) => {
      const session = await updateSession(ctx.prisma, access, args.id, args.input);
      publishSessionChange(ctx.live.hub, args.input.labels != null ? 'LABELS_CHANGED' : 'UPDATED', session);
      return session;
    }),
  }),
  archiveSession: t.field({
    type: SessionRef,
    nullable: true,
    description: 'Hides the session from default lists. Idempotent and reversible (SES-ARC-002).',
    args: sessionArgs,
    resolve: inWorkspace(published('ARCHIVED', (access, args, ctx) => setArchived(ctx.prisma, access, args.id, true))),
  }),
  unarchiveSession: t.field({
    type: SessionRef,
    nullable: true,
    description: 'Undoes archiveSession. Idempotent.',
    args: sessionArgs,
    resolve: inWorkspace(published('UNARCHIVED', (access, args, ctx) => setArchived(ctx.prisma, access, args.id, false))),
  }),
  freezeSession: t.field({
    type: SessionRef,
    nullable: true,
    description: 'Makes the session read-only for good: idempotent and terminal; frozenAt and frozenBy are set once.',
    args: sessionArgs,
    resolve: inWorkspace(published('FROZEN', (access, args, ctx) => freezeSession(ctx.prisma, access, args.id))),
  }),
  deleteSession: t.field({
    type: DeleteSessionPayloadRef,
    nullable: true,
    description: 'Deletes the session, its labels and its transcript. A frozen session is CONFLICT.',
    args: sessionArgs,
    resolve: inWorkspace(async (access, args, ctx) => {
      const deleted = await deleteSession(ctx.prisma, access, args.id);
      publishSessionChange(ctx.live.hub, 'DELETED', deleted.session);
      return deleted;
    }),
  }),
}));
