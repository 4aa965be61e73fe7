import { inWorkspace, workspaceArgs } from './workspace.js';
import { DEFAULT_PAGE_SIZE, listSessions, type SessionPage } from '../sessions/list.js';
import { deleteSession, freezeSession, setArchived, updateSession } from '../sessions/lifecycle.js';
import { saveSession } from '../sessions/save.js';
import { findVisibleSession } from '../sessions/visible-session.js';
import { builder } from './builder.js';
import { SessionCreatorRef } from './creator.js';
import { ArchivedStateEnum, OrderDirectionEnum, SessionOrderFieldEnum, SessionOriginEnum, SessionVisibilityEnum } from './enums.js';
import { LabelFilterRef, LabelInputRef, labelsInput, SessionLabelRef } from './labels.js';
import { atMost } from './list-bounds.js';
import { MAX_FILTER_LABEL_KEYS, MAX_FILTER_VALUES } from '../sessions/filter.js';
import { SessionUsageRef } from './usage.js';

export const SessionRef = builder.prismaObject('Session', {
  description: 'A chat session between a user and an agent.',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID' }),
    userId: t.expose('userId', { type: 'UUID', nullable: true }),
    creator: t.field({
      type: SessionCreatorRef,
      nullable: true,
      description: 'The owner; null when the user was deleted. Batched per request.',
      resolve: (session, _args, ctx) => (session.userId ? ctx.loaders.user.load(session.userId) : null),
    }),
    projectId: t.expose('projectId', { type: 'UUID', nullable: true }),
    runtimeId: t.expose('runtimeId', { type: 'UUID', nullable: true }),
    groupId: t.expose('groupId', { type: 'UUID', nullable: true }),
    agent: t.exposeString('agent', { nullable: true }),
    model: t.exposeString('model', { nullable: true }),
    title: t.exposeString('title', { nullable: true }),
    previewText: t.exposeString('previewText', {
      nullable: true,
      description: 'The first user message, first 200 characters; set once.',
    }),
    messageCount: t.exposeInt('messageCount'),
    visibility: t.expose('visibility', { type: SessionVisibilityEnum }),
    origin: t.expose('origin', { type: SessionOriginEnum }),
    labels: t.field({
      type: [SessionLabelRef],
      description: 'Sorted by key; values sorted. Batched per request.',
      resolve: (session, _args, ctx) => ctx.loaders.labels.load(session.id),
    }),
    usage: t.field({
      type: SessionUsageRef,
      description: 'Totals over every stored message of the transcript, kept in step as messages are stored. Batched per request.',
      resolve: (session, _args, ctx) => ctx.loaders.usage.load(session.id),
    }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    frozenAt: t.expose('frozenAt', { type: 'DateTime', nullable: true }),
    frozenBy: t.exposeString('frozenBy', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime', nullable: true }),
  }),
});

// Federation: Session is an entity keyed by id. References resolve through a per-request
// DataLoader (one statement for all of them) with the same visibility rule as `session`; a session
// the caller cannot see resolves to null.
builder.asEntity(SessionRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (reference, ctx) => ctx.loaders.entity.load(String(reference.id)),
});

const SaveSessionInputRef = builder.inputType('SaveSessionInput', {
  fields: (t) => ({
    id: t.field({ type: 'UUID', required: true, description: 'Made up by the client.' }),
    model: t.string({ required: true }),
    messageCount: t.field({ type: 'NonNegativeInt', defaultValue: 0 }),
    agent: t.string(),
    title: t.string(),
    labels: t.field({ type: [LabelInputRef], ...labelsInput() }),
    origin: t.field({ type: SessionOriginEnum, defaultValue: 'USER' }),
    visibility: t.field({ type: SessionVisibilityEnum, defaultValue: 'PRIVATE' }),
    projectId: t.field({ type: 'UUID' }),
    runtimeId: t.field({ type: 'UUID' }),
    groupId: t.field({ type: 'UUID' }),
  }),
});

export const SessionFilterRef = builder.inputType('SessionFilter', {
  description: 'Values OR within a dimension, dimensions AND together. Filters narrow; they never grant access.',
  fields: (t) => ({
    userIds: t.field({ type: ['UUID'], ...atMost(MAX_FILTER_VALUES) }),
    projectIds: t.field({ type: ['UUID'], ...atMost(MAX_FILTER_VALUES) }),
    agents: t.stringList(atMost(MAX_FILTER_VALUES)),
    models: t.stringList(atMost(MAX_FILTER_VALUES)),
    origins: t.field({ type: [SessionOriginEnum], ...atMost(MAX_FILTER_VALUES) }),
    archived: t.field({ type: ArchivedStateEnum, defaultValue: 'ACTIVE' }),
    labels: t.field({ type: [LabelFilterRef], ...atMost(MAX_FILTER_LABEL_KEYS, 'Values OR within a key, keys AND together.') }),
    search: t.string({
      description:
        'Full-text search over title, model, agent, label values and key:value pairs, in web-search syntax: words, "quoted phrases", or, -exclusion. Under 3 characters: substring match.',
    }),
    includeWorkloadSessions: t.boolean({ defaultValue: false }),
  }),
});

const SessionOrderRef = builder.inputType('SessionOrder', {
  fields: (t) => ({
    field: t.field({ type: SessionOrderFieldEnum, required: true, defaultValue: 'UPDATED_AT' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: 'DESC' }),
  }),
});

builder.queryFields((t) => ({
  session: t.field({
    type: SessionRef,
    description: 'One session by full UUID or unique prefix of at least 8 hex characters.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true }),
    },
    resolve: inWorkspace((access, args, ctx) => findVisibleSession(ctx.prisma, access, args.id)),
  }),
  sessions: t.connection(
    {
      type: SessionRef,
      description: 'The sessions the caller can see, newest update first by default. Page size 20 by default, 100 at most.',
      // The operation cost limit (limits.ts) reads the page size from here when neither first nor last is given.
      extensions: { defaultPageSize: DEFAULT_PAGE_SIZE },
      args: {
        ...workspaceArgs,
        filter: t.arg({ type: SessionFilterRef }),
        orderBy: t.arg({ type: SessionOrderRef }),
      },
      resolve: inWorkspace((access, args, ctx): Promise<SessionPage> => {
        const order = { field: args.orderBy?.field ?? 'UPDATED_AT', direction: args.orderBy?.direction ?? 'DESC' } as const;
        return listSessions(ctx.prisma, access, args.filter, order, args);
      }),
    },
    {
      name: 'SessionConnection',
      fields: (tc) => ({
        totalCount: tc.int({
          description: 'Sessions matching the filter that the caller can see, across all pages.',
          resolve: (page) => page.totalCount(),
        }),
      }),
    },
    { name: 'SessionEdge' },
  ),
}));

const UpdateSessionInputRef = builder.inputType('UpdateSessionInput', {
  description: 'Leave a field out to keep it. null clears title and agent. labels replaces the whole set.',
  fields: (t) => ({
    title: t.string(),
    model: t.string(),
    agent: t.string(),
    visibility: t.field({ type: SessionVisibilityEnum, description: 'Only the owner can change it.' }),
    labels: t.field({ type: [LabelInputRef], ...labelsInput() }),
  }),
});

const DeletedSessionRef = builder.objectRef<{ id: string }>('DeletedSession').implement({
  fields: (t) => ({ id: t.expose('id', { type: 'UUID' }) }),
});

/** The arguments every per-session mutation takes. */
const sessionArgs = builder.args((t) => ({
  ...workspaceArgs,
  id: t.string({ required: true, description: 'Full UUID or unique prefix of at least 8 hex characters.' }),
}));

builder.mutationFields((t) => ({
  saveSession: t.field({
    type: SessionRef,
    description:
      'Creates the session, owned by the caller. Saving an id you own again (same workspace) is a safe retry that updates messageCount, model, agent and title.',
    args: {
      ...workspaceArgs,
      input: t.arg({ type: SaveSessionInputRef, required: true }),
    },
    resolve: inWorkspace((access, args, ctx) => saveSession(ctx.prisma, access, args.input)),
  }),
  updateSession: t.field({
    type: SessionRef,
    description: 'Partial update. Owners change their own sessions; an ADMIN also others\u2019 WORKSPACE sessions. Frozen: CONFLICT.',
    args: { ...sessionArgs, input: t.arg({ type: UpdateSessionInputRef, required: true }) },
    resolve: inWorkspace((access, args, ctx) => updateSession(ctx.prisma, access, args.id, args.input)),
  }),
  archiveSession: t.field({
    type: SessionRef,
    description: 'Hides the session from default lists. Idempotent and reversible (SES-ARC-002).',
    args: sessionArgs,
    resolve: inWorkspace((access, args, ctx) => setArchived(ctx.prisma, access, args.id, true)),
  }),
  unarchiveSession: t.field({
    type: SessionRef,
    description: 'Undoes archiveSession. Idempotent.',
    args: sessionArgs,
    resolve: inWorkspace((access, args, ctx) => setArchived(ctx.prisma, access, args.id, false)),
  }),
  freezeSession: t.field({
    type: SessionRef,
    description: 'Makes the session read-only for good: idempotent and terminal; frozenAt and frozenBy are set once.',
    args: sessionArgs,
    resolve: inWorkspace((access, args, ctx) => freezeSession(ctx.prisma, access, args.id)),
  }),
  deleteSession: t.field({
    type: DeletedSessionRef,
    description: 'Deletes the session, its labels and its transcript. A frozen session is CONFLICT.',
    args: sessionArgs,
    resolve: inWorkspace((access, args, ctx) => deleteSession(ctx.prisma, access, args.id)),
  }),
}));
