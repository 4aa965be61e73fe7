/**
 * An independent model of who may see and change what, written from docs/api.md ("Access", "saveSession",
 * "updateSession and the lifecycle", "Transcript", "sessions: filters", "Facets", "Federation")
 * and deliberately not from src/auth: the property test compares every API answer with it.
 *
 * Everything here is pure: functions take the world as it is and return the outcome the contract
 * promises, plus the session as it must be afterwards for writes that succeed.
 */

import { byCodePoints } from '../support/code-points.js';

export type Role = 'READER' | 'CONTRIBUTOR' | 'ADMIN';
export type TokenKind = 'USER' | 'WORKER' | 'SERVICE';
export type Visibility = 'PRIVATE' | 'WORKSPACE';
export type Origin = 'USER' | 'WORKER' | 'EVAL' | 'OPTIMIZATION' | 'TRAINING' | 'WORLD';
export type ArchivedState = 'ACTIVE' | 'ARCHIVED' | 'ANY';

export interface Label {
  key: string;
  values: string[];
}

export interface ModelWorkspace {
  id: string;
  org: string;
  slug: string;
}

export interface ModelToken {
  secret: string;
  userId: string;
  kind: TokenKind;
  /** False once revoked or expired. */
  usable: boolean;
}

export interface ModelSession {
  id: string;
  workspaceId: string;
  /** null: the owner's user row was deleted. */
  ownerId: string | null;
  visibility: Visibility;
  origin: Origin;
  model: string | null;
  agent: string | null;
  title: string | null;
  projectId: string | null;
  /** Sorted by key, values sorted and distinct. */
  labels: Label[];
  archived: boolean;
  /** Set once when frozen: the user id of whoever froze it. */
  frozenBy: string | null;
  /** In seq order. */
  messageIds: string[];
}

export interface World {
  orgs: string[];
  workspaces: ModelWorkspace[];
  users: { id: string; email: string }[];
  memberships: { workspaceId: string; userId: string; role: Role }[];
  tokens: ModelToken[];
  /** Live sessions only: a deleted session leaves this list. */
  sessions: ModelSession[];
}

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_REQUEST' | 'ALREADY_EXISTS' | 'CONFLICT';

/** A refusal: its code, and whether it fails the whole request (HTTP 401) rather than one field. */
export interface Denied {
  denied: ErrorCode;
  wholeRequest: boolean;
}
export type Outcome<T> = { ok: T } | Denied;

const deny = (code: ErrorCode, wholeRequest = false): Denied => ({ denied: code, wholeRequest });
export const isDenied = <T>(outcome: Outcome<T>): outcome is Denied => 'denied' in outcome;

/** Who calls: no Authorization header, or a bearer token (known to the world or not). */
export type Caller = { anonymous: true } | { anonymous: false; secret: string };

export interface Principal {
  userId: string;
  kind: TokenKind;
}

/**
 * "A request without Authorization … every session field needs a token (UNAUTHENTICATED on that
 * field)"; "a token that is malformed, unknown, expired or revoked fails the whole request".
 */
function authenticate(world: World, caller: Caller): Outcome<Principal> {
  if (caller.anonymous) return deny('UNAUTHENTICATED');
  const token = world.tokens.find((t) => t.secret === caller.secret);
  if (!token || !token.usable) return deny('UNAUTHENTICATED', true);
  return { ok: { userId: token.userId, kind: token.kind } };
}

export interface Access {
  principal: Principal;
  workspaceId: string;
  role: Role;
}

/** "Not a member of an existing workspace: FORBIDDEN. Unknown org or workspace: NOT_FOUND." */
function workspaceAccess(world: World, caller: Caller, org: string, workspace: string): Outcome<Access> {
  const principal = authenticate(world, caller);
  if (isDenied(principal)) return principal;
  const found = world.workspaces.find((w) => w.org === org && w.slug === workspace);
  if (!found) return deny('NOT_FOUND');
  const membership = world.memberships.find((m) => m.workspaceId === found.id && m.userId === principal.ok.userId);
  if (!membership) return deny('FORBIDDEN');
  return { ok: { principal: principal.ok, workspaceId: found.id, role: membership.role } };
}

const isMember = (world: World, userId: string, workspaceId: string) =>
  world.memberships.some((m) => m.workspaceId === workspaceId && m.userId === userId);

/** "PRIVATE sessions are visible to their owner only, whatever the role; WORKSPACE to every member." */
function canSee(world: World, userId: string, session: ModelSession): boolean {
  return isMember(world, userId, session.workspaceId) && (session.visibility === 'WORKSPACE' || session.ownerId === userId);
}

const hexOf = (id: string) => id.replaceAll('-', '').toLowerCase();

/**
 * A full id or a prefix of 8+ hex characters matches only sessions of the named workspace the
 * caller can see: none is NOT_FOUND, two are BAD_REQUEST.
 */
function findVisible(world: World, access: Access, idOrPrefix: string): Outcome<ModelSession> {
  const wanted = hexOf(idOrPrefix);
  const matches = world.sessions.filter(
    (s) => s.workspaceId === access.workspaceId && canSee(world, access.principal.userId, s) && hexOf(s.id).startsWith(wanted),
  );
  if (matches.length > 1) return deny('BAD_REQUEST');
  const [match] = matches;
  return match ? { ok: match } : deny('NOT_FOUND');
}

/** `session(org, workspace, id)`, with its transcript. */
export function expectSession(world: World, caller: Caller, org: string, workspace: string, idOrPrefix: string): Outcome<ModelSession> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  return findVisible(world, access.ok, idOrPrefix);
}

export interface ModelFilter {
  userIds?: string[];
  projectIds?: string[];
  agents?: string[];
  models?: string[];
  origins?: Origin[];
  archived?: ArchivedState;
  labels?: Label[];
  search?: string;
  includeWorkloadSessions?: boolean;
}

const WORKLOAD_ORIGINS: readonly Origin[] = ['EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'];

/** Whole words of a text as the 'simple' parser sees them: the hyphenated word and its parts. */
function wordsOf(text: string | null): string[] {
  if (!text) return [];
  return text
    .toLowerCase()
    .split(/\s+/)
    .flatMap((word) => [word, ...word.split('-')])
    .filter((word) => word !== '');
}

/**
 * The search forms the test generates: one word (title, model, agent or label value), a
 * `key:value` pair (that label), or under 3 characters a case-insensitive substring of the same
 * text with the `key:value` pairs.
 */
function matchesSearch(session: ModelSession, search: string): boolean {
  if (search.length < 3) {
    const labels = session.labels.flatMap((l) => l.values.flatMap((v) => [v, `${l.key}:${v}`]));
    return [session.title, session.model, session.agent, ...labels].some((text) => text?.toLowerCase().includes(search.toLowerCase()));
  }
  const pair = /^([a-z0-9]+):(.+)$/.exec(search);
  if (pair) return session.labels.some((l) => l.key === pair[1] && l.values.includes(pair[2]!));
  const word = search.toLowerCase();
  const words = [
    ...wordsOf(session.title),
    ...wordsOf(session.model),
    ...wordsOf(session.agent),
    ...session.labels.flatMap((l) => l.values.flatMap((v) => wordsOf(v))),
  ];
  return words.includes(word);
}

const within = <T>(list: readonly T[] | undefined, value: T | null) => list === undefined || (value !== null && list.includes(value));

/**
 * "Values OR within a dimension, dimensions AND; labels: values OR within a key, keys AND;
 * archived ACTIVE by default; workload origins hidden unless includeWorkloadSessions; an empty
 * list matches nothing."
 */
function matchesFilter(session: ModelSession, filter: ModelFilter): boolean {
  const archived = filter.archived ?? 'ACTIVE';
  if (archived === 'ACTIVE' && session.archived) return false;
  if (archived === 'ARCHIVED' && !session.archived) return false;
  if (!filter.includeWorkloadSessions && WORKLOAD_ORIGINS.includes(session.origin)) return false;
  if (!within(filter.origins, session.origin)) return false;
  if (!within(filter.userIds, session.ownerId)) return false;
  if (!within(filter.projectIds, session.projectId)) return false;
  if (!within(filter.agents, session.agent)) return false;
  if (!within(filter.models, session.model)) return false;
  for (const wanted of filter.labels ?? []) {
    const has = session.labels.some((l) => l.key === wanted.key && l.values.some((v) => wanted.values.includes(v)));
    if (!has) return false;
  }
  return filter.search === undefined || matchesSearch(session, filter.search);
}

/** `sessions(filter)` and its `totalCount`: exactly the visible sessions of the workspace that match. */
export function expectList(world: World, caller: Caller, org: string, workspace: string, filter: ModelFilter): Outcome<ModelSession[]> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  const { workspaceId, principal } = access.ok;
  return {
    ok: world.sessions.filter((s) => s.workspaceId === workspaceId && canSee(world, principal.userId, s) && matchesFilter(s, filter)),
  };
}

export interface FacetValue {
  value: string;
  count: number;
}
export interface Facets {
  /** Sorted by key here; the contract orders values, not keys. */
  labels: { key: string; values: FacetValue[] }[];
  agents: FacetValue[];
  models: FacetValue[];
  origins: FacetValue[];
  users: FacetValue[];
}

/** Counts of non-null values: count descending, then value ascending in code-point order. */
function countValues(values: (string | null)[]): FacetValue[] {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** `sessionFacets(filter)`: counted over the same sessions `sessions(filter)` returns. */
export function expectFacets(world: World, caller: Caller, org: string, workspace: string, filter: ModelFilter): Outcome<Facets> {
  const list = expectList(world, caller, org, workspace, filter);
  if (isDenied(list)) return list;
  const sessions = list.ok;
  const keys = [...new Set(sessions.flatMap((s) => s.labels.map((l) => l.key)))].sort();
  return {
    ok: {
      labels: keys.map((key) => ({
        key,
        values: countValues(sessions.flatMap((s) => s.labels.filter((l) => l.key === key).flatMap((l) => l.values))),
      })),
      agents: countValues(sessions.map((s) => s.agent)),
      models: countValues(sessions.map((s) => s.model)),
      origins: countValues(sessions.map((s) => s.origin)),
      users: countValues(sessions.map((s) => s.ownerId)),
    },
  };
}

/**
 * Federation's `_entities`: a bare id resolves to the session when the caller is a member of its
 * workspace and may see it, to null otherwise (unknown ids too). Needs a token.
 */
export function expectEntities(world: World, caller: Caller, ids: string[]): Outcome<(ModelSession | null)[]> {
  const principal = authenticate(world, caller);
  if (isDenied(principal)) return principal;
  return { ok: ids.map((id) => world.sessions.find((s) => s.id === id && canSee(world, principal.ok.userId, s)) ?? null) };
}

/** The viewer's memberships, as `viewer` must list them. */
export function expectViewer(
  world: World,
  caller: Caller,
): Outcome<{ userId: string; kind: TokenKind; memberships: { org: string; workspace: string; role: Role }[] }> {
  const principal = authenticate(world, caller);
  if (isDenied(principal)) return principal;
  const memberships = world.memberships
    .filter((m) => m.userId === principal.ok.userId)
    .map((m) => {
      const ws = world.workspaces.find((w) => w.id === m.workspaceId)!;
      return { org: ws.org, workspace: ws.slug, role: m.role };
    });
  return { ok: { userId: principal.ok.userId, kind: principal.ok.kind, memberships } };
}

/**
 * "USER tokens USER; WORKER tokens USER or WORKER; SERVICE tokens any origin", for what a token
 * writes: a new session's origin, and the stored origin of a session it retries or appends to.
 */
const ORIGINS_ALLOWED: Record<TokenKind, readonly Origin[]> = {
  USER: ['USER'],
  WORKER: ['USER', 'WORKER'],
  SERVICE: ['USER', 'WORKER', 'EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'],
};

/** Labels as stored: duplicate keys merge, duplicate values collapse, sorted in code-point order. */
export function normalizeLabels(labels: Label[]): Label[] {
  const byKey = new Map<string, Set<string>>();
  for (const label of labels) {
    const values = byKey.get(label.key) ?? new Set<string>();
    for (const value of label.values) values.add(value);
    byKey.set(label.key, values);
  }
  return [...byKey]
    .filter(([, values]) => values.size > 0)
    .sort(([a], [b]) => byCodePoints(a, b))
    .map(([key, values]) => ({ key, values: [...values].sort(byCodePoints) }));
}

export interface SaveRequest {
  id: string;
  model: string;
  agent: string | null;
  title: string | null;
  origin?: Origin;
  visibility?: Visibility;
  labels?: Label[];
  projectId?: string;
}

/**
 * saveSession: READER never writes; the origin must suit the token kind; a new id creates the
 * session (owner: caller; USER and PRIVATE unless given); the owner's retry in the same
 * workspace updates model, agent and title (CONFLICT when frozen; FORBIDDEN when the stored
 * origin does not suit the token kind); any other existing id is ALREADY_EXISTS, visible or not.
 */
export function expectSave(world: World, caller: Caller, org: string, workspace: string, input: SaveRequest): Outcome<ModelSession> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  const { principal, workspaceId, role } = access.ok;
  if (role === 'READER') return deny('FORBIDDEN');
  const origin = input.origin ?? 'USER';
  if (!ORIGINS_ALLOWED[principal.kind].includes(origin)) return deny('FORBIDDEN');
  const existing = world.sessions.find((s) => s.id === input.id);
  if (!existing) {
    return {
      ok: {
        id: input.id,
        workspaceId,
        ownerId: principal.userId,
        visibility: input.visibility ?? 'PRIVATE',
        origin,
        model: input.model,
        agent: input.agent,
        title: input.title,
        projectId: input.projectId ?? null,
        labels: normalizeLabels(input.labels ?? []),
        archived: false,
        frozenBy: null,
        messageIds: [],
      },
    };
  }
  if (existing.workspaceId !== workspaceId || existing.ownerId !== principal.userId) return deny('ALREADY_EXISTS');
  if (existing.frozenBy !== null) return deny('CONFLICT');
  if (!ORIGINS_ALLOWED[principal.kind].includes(existing.origin)) return deny('FORBIDDEN');
  return { ok: { ...existing, model: input.model, agent: input.agent, title: input.title } };
}

export type Change = 'update' | 'visibility' | 'archive' | 'unarchive' | 'freeze' | 'delete' | 'append';

/** What an ADMIN may do to another member's WORKSPACE session; visibility and transcript stay with the owner. */
const ADMIN_MAY: readonly Change[] = ['update', 'archive', 'unarchive', 'freeze', 'delete'];

/** A visible session, the caller allowed to make this change to it (READER never; owner; ADMIN in part). */
function changeable(
  world: World,
  caller: Caller,
  org: string,
  workspace: string,
  idOrPrefix: string,
  change: Change,
): Outcome<{ access: Access; session: ModelSession }> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  const session = findVisible(world, access.ok, idOrPrefix);
  if (isDenied(session)) return session;
  const { role, principal } = access.ok;
  const own = session.ok.ownerId === principal.userId;
  const asAdmin = role === 'ADMIN' && session.ok.visibility === 'WORKSPACE' && ADMIN_MAY.includes(change);
  if (role === 'READER' || !(own || asAdmin)) return deny('FORBIDDEN');
  return { ok: { access: access.ok, session: session.ok } };
}

const frozen = (session: ModelSession) => session.frozenBy !== null;

export interface UpdateRequest {
  title?: string | null;
  model?: string;
  agent?: string | null;
  visibility?: Visibility;
  labels?: Label[];
}

/** updateSession: a partial update; naming `visibility` at all is the owner's change. Frozen: CONFLICT. */
export function expectUpdate(
  world: World,
  caller: Caller,
  org: string,
  workspace: string,
  idOrPrefix: string,
  input: UpdateRequest,
): Outcome<ModelSession> {
  const change: Change = input.visibility !== undefined ? 'visibility' : 'update';
  const found = changeable(world, caller, org, workspace, idOrPrefix, change);
  if (isDenied(found)) return found;
  const { session } = found.ok;
  if (frozen(session)) return deny('CONFLICT');
  return {
    ok: {
      ...session,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.model !== undefined ? { model: input.model } : {}),
      ...(input.agent !== undefined ? { agent: input.agent } : {}),
      ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
      ...(input.labels !== undefined ? { labels: normalizeLabels(input.labels) } : {}),
    },
  };
}

export type Lifecycle = 'archive' | 'unarchive' | 'freeze' | 'delete';

/**
 * archive/unarchive (idempotent, frozen sessions too), freeze (idempotent; frozenBy set once),
 * delete (frozen: CONFLICT). The session as it is afterwards; for delete, the one that is gone.
 */
export function expectLifecycle(
  world: World,
  caller: Caller,
  org: string,
  workspace: string,
  idOrPrefix: string,
  op: Lifecycle,
): Outcome<ModelSession> {
  const found = changeable(world, caller, org, workspace, idOrPrefix, op);
  if (isDenied(found)) return found;
  const { session, access } = found.ok;
  switch (op) {
    case 'archive':
      return { ok: { ...session, archived: true } };
    case 'unarchive':
      return { ok: { ...session, archived: false } };
    case 'freeze':
      return { ok: { ...session, frozenBy: session.frozenBy ?? access.principal.userId } };
    case 'delete':
      return frozen(session) ? deny('CONFLICT') : { ok: session };
  }
}

/**
 * appendTranscript: only the owner appends (an ADMIN neither); frozen is CONFLICT; the session's
 * origin must suit the token kind; a message id stored in another session is ALREADY_EXISTS.
 */
export function expectAppend(
  world: World,
  caller: Caller,
  org: string,
  workspace: string,
  idOrPrefix: string,
  messageIds: string[],
): Outcome<ModelSession> {
  const found = changeable(world, caller, org, workspace, idOrPrefix, 'append');
  if (isDenied(found)) return found;
  const { session } = found.ok;
  if (frozen(session)) return deny('CONFLICT');
  if (!ORIGINS_ALLOWED[found.ok.access.principal.kind].includes(session.origin)) return deny('FORBIDDEN');
  const elsewhere = world.sessions.some((s) => s.id !== session.id && s.messageIds.some((id) => messageIds.includes(id)));
  if (elsewhere) return deny('ALREADY_EXISTS');
  const fresh = messageIds.filter((id) => !session.messageIds.includes(id));
  return { ok: { ...session, messageIds: [...session.messageIds, ...fresh] } };
}

/** A session's export (Session.trajectory and the download): whoever may read the session, its messages in seq order. */
export const expectExport = expectSession;

/**
 * searchMessages: the messages of the sessions of the workspace the caller can see (archived,
 * frozen and workload sessions included: it is not the filtered list) whose content matches.
 * The test's query matches every message, so these are all their ids.
 */
export function expectMessageSearch(world: World, caller: Caller, org: string, workspace: string): Outcome<string[]> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  const { workspaceId, principal } = access.ok;
  return {
    ok: world.sessions.filter((s) => s.workspaceId === workspaceId && canSee(world, principal.userId, s)).flatMap((s) => s.messageIds),
  };
}

/**
 * forkSession: READER never writes; the source is any session the caller can see; the fork is a
 * new session of the caller's, PRIVATE, origin USER, with the source's model, agent, title,
 * project and labels, not archived nor frozen, and as many messages as `atSeq` (new ids: the
 * caller learns them from the answer).
 */
export function expectFork(
  world: World,
  caller: Caller,
  org: string,
  workspace: string,
  idOrPrefix: string,
  newId: string,
): Outcome<ModelSession> {
  const access = workspaceAccess(world, caller, org, workspace);
  if (isDenied(access)) return access;
  if (access.ok.role === 'READER') return deny('FORBIDDEN');
  const source = findVisible(world, access.ok, idOrPrefix);
  if (isDenied(source)) return source;
  return {
    ok: {
      ...source.ok,
      id: newId,
      ownerId: access.ok.principal.userId,
      visibility: 'PRIVATE',
      origin: 'USER',
      archived: false,
      frozenBy: null,
      messageIds: [],
    },
  };
}
