import fc from 'fast-check';
import type { ArchivedState, Lifecycle, Origin, Role, TokenKind, Visibility } from './access-model.js';

/**
 * Random worlds and random things to do in them, as plain data (indices, not ids), so fast-check
 * can shrink them. seed-world.ts turns a WorldSpec into rows; scenario.ts resolves the indices
 * against the world as it is when each action runs.
 */

const TOKEN_KINDS: readonly TokenKind[] = ['USER', 'WORKER', 'SERVICE'];
const ORIGINS: readonly Origin[] = ['USER', 'WORKER', 'EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'];
const VISIBILITIES: readonly Visibility[] = ['PRIVATE', 'WORKSPACE'];
const LIFECYCLE: readonly Lifecycle[] = ['archive', 'unarchive', 'freeze', 'delete'];

// Vocabularies whose words never overlap, so a search word tells exactly which field it hits.
const MODELS = ['gpt-4o', 'claude-3', 'llama'] as const;
const AGENTS = ['planner', 'coder'] as const;
const TITLE_WORDS = ['apple', 'banana', 'cherry'] as const;
const LABEL_KEYS = ['team', 'env'] as const;
const LABEL_VALUES = ['red', 'green', 'blue'] as const;
const SEARCH_WORDS = [...TITLE_WORDS, ...LABEL_VALUES, ...AGENTS, 'llama', 'claude'] as const;
/** Under 3 characters a search is a substring match, label keys included ('am' is in llama and team:…). */
const SEARCH_FRAGMENTS = ['an', 'ue', '4o', 'am', 'de'] as const;

/** Sessions' ids fall into this many groups sharing an 8-hex-digit prefix (prefix look-ups). */
export const PREFIX_GROUPS = 3;
/** Projects per world (projectId values). */
export const PROJECTS = 2;

export type TokenState = 'live' | 'revoked' | 'expired' | 'expiresLater';

export interface TokenSpec {
  kind: TokenKind;
  state: TokenState;
}

export interface UserSpec {
  tokens: TokenSpec[];
  /** Role per workspace index (null: not a member); entries beyond the world's workspaces are ignored. */
  roles: (Role | null)[];
}

export interface LabelSpec {
  key: string;
  values: string[];
}

export interface SessionSpec {
  workspace: number;
  /** A user index, or null for a session whose owner was deleted. */
  owner: number | null;
  visibility: Visibility;
  origin: Origin;
  archived: boolean;
  frozen: boolean;
  model: string | null;
  agent: string | null;
  titleWords: string[];
  project: number | null;
  labels: LabelSpec[];
  group: number;
  messages: number;
}

export interface WorldSpec {
  /** Workspaces per org. Workspace slugs repeat across orgs on purpose. */
  orgs: number[];
  users: UserSpec[];
  sessions: SessionSpec[];
}

const MAX_WORKSPACES = 4;

/** Mostly the origins every token kind (USER) or most (WORKER) may write; workloads now and then. */
const originArb: fc.Arbitrary<Origin> = fc.oneof(
  { arbitrary: fc.constantFrom<Origin>('USER', 'WORKER'), weight: 3 },
  { arbitrary: fc.constantFrom(...ORIGINS), weight: 1 },
);

const labelsArb: fc.Arbitrary<LabelSpec[]> = fc.uniqueArray(
  fc.record({ key: fc.constantFrom(...LABEL_KEYS), values: fc.subarray([...LABEL_VALUES], { minLength: 1 }) }),
  { maxLength: 2, selector: (label) => label.key },
);

const sessionArb: fc.Arbitrary<SessionSpec> = fc.record({
  workspace: fc.nat(),
  owner: fc.option(fc.nat(), { freq: 8 }),
  visibility: fc.constantFrom(...VISIBILITIES),
  origin: originArb,
  archived: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  // Rarely frozen, rarely archived: a frozen session refuses most writes, so it would drown the rest.
  frozen: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
  model: fc.option(fc.constantFrom(...MODELS), { freq: 6 }),
  agent: fc.option(fc.constantFrom(...AGENTS), { freq: 2 }),
  titleWords: fc.subarray([...TITLE_WORDS]),
  project: fc.option(fc.nat({ max: PROJECTS - 1 }), { freq: 2 }),
  labels: labelsArb,
  group: fc.nat({ max: PREFIX_GROUPS - 1 }),
  messages: fc.nat({ max: 2 }),
});

const tokenArb: fc.Arbitrary<TokenSpec> = fc.record({
  kind: fc.constantFrom(...TOKEN_KINDS),
  state: fc.oneof(
    { arbitrary: fc.constant<TokenState>('live'), weight: 8 },
    { arbitrary: fc.constantFrom<TokenState>('revoked', 'expired', 'expiresLater'), weight: 2 },
  ),
});

const roleArb: fc.Arbitrary<Role> = fc.oneof(
  { arbitrary: fc.constant<Role>('READER'), weight: 1 },
  { arbitrary: fc.constantFrom<Role>('CONTRIBUTOR', 'ADMIN'), weight: 3 },
);

const userArb: fc.Arbitrary<UserSpec> = fc.record({
  tokens: fc.array(tokenArb, { minLength: 1, maxLength: 2 }),
  roles: fc.array(fc.option(roleArb, { freq: 4 }), { minLength: MAX_WORKSPACES, maxLength: MAX_WORKSPACES }),
});

const worldArb: fc.Arbitrary<WorldSpec> = fc.record({
  orgs: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 2 }),
  users: fc.array(userArb, { minLength: 2, maxLength: 4 }),
  sessions: fc.array(sessionArb, { minLength: 2, maxLength: 9 }),
});

/** Who makes a request. `member` and `owner` pick among tokens relevant to the target, so writes succeed often enough. */
export type CallerRef =
  | { kind: 'anonymous' }
  | { kind: 'unknownToken' }
  | { kind: 'token'; pick: number }
  | { kind: 'member'; pick: number }
  | { kind: 'owner'; pick: number };

/** Where: the referenced session's own workspace, any workspace of the world, or one that does not exist. */
export type TargetRef =
  | { kind: 'home'; pick: number }
  | { kind: 'workspace'; pick: number }
  | { kind: 'unknownWorkspace'; pick: number }
  | { kind: 'unknownOrg' };

/** Which session: one the world has had (deleted ones too), an 8-hex prefix of a group, or an id never used. */
export type IdRef = { kind: 'session'; pick: number } | { kind: 'prefix'; group: number } | { kind: 'unknown' };

export type SearchSpec = { kind: 'word'; word: string } | { kind: 'pair'; key: string; value: string } | { kind: 'fragment'; text: string };

export interface FilterSpec {
  /** User indices; -1 is a user id that exists nowhere. */
  userIds?: number[];
  projects?: number[];
  agents?: string[];
  models?: string[];
  origins?: Origin[];
  archived?: ArchivedState;
  labels?: LabelSpec[];
  search?: SearchSpec;
  includeWorkloadSessions?: boolean;
}

export interface SaveSpec {
  model: string;
  agent: string | null;
  titleWords: string[];
  origin?: Origin;
  visibility?: Visibility;
  labels?: LabelSpec[];
  project?: number;
}

export interface UpdateSpec {
  title?: string[] | null;
  model?: string;
  agent?: string | null;
  visibility?: Visibility;
  labels?: LabelSpec[];
}

export type OrderField = 'UPDATED_AT' | 'LAST_MESSAGE_AT' | 'CREATED_AT' | 'MESSAGE_COUNT';

export type Action =
  | { kind: 'read'; caller: CallerRef; target: TargetRef; id: IdRef }
  | {
      kind: 'list';
      caller: CallerRef;
      target: TargetRef;
      filter: FilterSpec;
      pageSize: number | null;
      orderBy: { field: OrderField; direction: 'ASC' | 'DESC' };
    }
  | { kind: 'facets'; caller: CallerRef; target: TargetRef; filter: FilterSpec }
  | { kind: 'entities'; caller: CallerRef; ids: IdRef[] }
  | { kind: 'viewer'; caller: CallerRef }
  | { kind: 'save'; caller: CallerRef; target: TargetRef; id: IdRef | { kind: 'new'; group: number }; input: SaveSpec }
  | { kind: 'update'; caller: CallerRef; target: TargetRef; id: IdRef; input: UpdateSpec }
  | { kind: 'lifecycle'; op: Lifecycle; caller: CallerRef; target: TargetRef; id: IdRef }
  | { kind: 'append'; caller: CallerRef; target: TargetRef; id: IdRef; messages: number; foreign: number | null }
  | { kind: 'token'; pick: number; op: 'revoke' | 'expire' }
  /** An admin changes a role or removes a member (null); it applies from the next request. */
  | { kind: 'membership'; user: number; workspace: number; role: Role | null }
  /** An admin deletes a user: tokens and memberships go, sessions stay without an owner. */
  | { kind: 'deleteUser'; user: number }
  /** Session.trajectory (NATIVE) and the download of a session. */
  | { kind: 'export'; caller: CallerRef; target: TargetRef; id: IdRef }
  /** searchMessages with a query every message matches. */
  | { kind: 'messageSearch'; caller: CallerRef; target: TargetRef }
  /** forkSession up to a seq of the source (its message count at most). */
  | { kind: 'fork'; caller: CallerRef; target: TargetRef; id: IdRef; at: number };

/** Callers weighted towards those with standing (members, owners), so both answers come up often. */
const callerArb = (ownerWeight: number): fc.Arbitrary<CallerRef> =>
  fc.oneof(
    { arbitrary: fc.constant<CallerRef>({ kind: 'anonymous' }), weight: 1 },
    { arbitrary: fc.constant<CallerRef>({ kind: 'unknownToken' }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('token' as const), pick: fc.nat() }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('member' as const), pick: fc.nat() }), weight: 6 },
    { arbitrary: fc.record({ kind: fc.constant('owner' as const), pick: fc.nat() }), weight: ownerWeight },
  );
const readerArb = callerArb(4);
const writerArb = callerArb(10);

const targetArb: fc.Arbitrary<TargetRef> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('home' as const), pick: fc.nat() }), weight: 12 },
  { arbitrary: fc.record({ kind: fc.constant('workspace' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('unknownWorkspace' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant<TargetRef>({ kind: 'unknownOrg' }), weight: 1 },
);

const idArb: fc.Arbitrary<IdRef> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('session' as const), pick: fc.nat() }), weight: 12 },
  { arbitrary: fc.record({ kind: fc.constant('prefix' as const), group: fc.nat({ max: PREFIX_GROUPS - 1 }) }), weight: 2 },
  { arbitrary: fc.constant<IdRef>({ kind: 'unknown' }), weight: 1 },
);

const searchArb: fc.Arbitrary<SearchSpec> = fc.oneof(
  fc.record({ kind: fc.constant('word' as const), word: fc.constantFrom(...SEARCH_WORDS) }),
  fc.record({ kind: fc.constant('fragment' as const), text: fc.constantFrom(...SEARCH_FRAGMENTS) }),
  fc.record({ kind: fc.constant('pair' as const), key: fc.constantFrom(...LABEL_KEYS), value: fc.constantFrom(...LABEL_VALUES) }),
);

const filterArb: fc.Arbitrary<FilterSpec> = fc
  .record(
    {
      userIds: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
      projects: fc.array(fc.nat({ max: PROJECTS - 1 }), { maxLength: 2 }),
      agents: fc.subarray([...AGENTS]),
      models: fc.subarray([...MODELS]),
      origins: fc.subarray([...ORIGINS]),
      archived: fc.constantFrom<ArchivedState>('ACTIVE', 'ARCHIVED', 'ANY'),
      labels: fc.uniqueArray(fc.record({ key: fc.constantFrom(...LABEL_KEYS), values: fc.subarray([...LABEL_VALUES]) }), {
        maxLength: 2,
        selector: (label) => label.key,
      }),
      search: searchArb,
      includeWorkloadSessions: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .filter((filter) => Object.keys(filter).length <= 3);

const saveArb: fc.Arbitrary<SaveSpec> = fc.record(
  {
    model: fc.constantFrom(...MODELS),
    agent: fc.option(fc.constantFrom(...AGENTS)),
    titleWords: fc.subarray([...TITLE_WORDS]),
    origin: originArb,
    visibility: fc.constantFrom(...VISIBILITIES),
    labels: labelsArb,
    project: fc.nat({ max: PROJECTS - 1 }),
  },
  { requiredKeys: ['model', 'agent', 'titleWords'] },
);

const updateArb: fc.Arbitrary<UpdateSpec> = fc.record(
  {
    title: fc.option(fc.subarray([...TITLE_WORDS], { minLength: 1 })),
    model: fc.constantFrom(...MODELS),
    agent: fc.option(fc.constantFrom(...AGENTS)),
    visibility: fc.constantFrom(...VISIBILITIES),
    labels: labelsArb,
  },
  { requiredKeys: [] },
);

const orderArb = fc.record({
  field: fc.constantFrom<OrderField>('UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'),
  direction: fc.constantFrom<'ASC' | 'DESC'>('ASC', 'DESC'),
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('read' as const), caller: readerArb, target: targetArb, id: idArb }), weight: 5 },
  {
    arbitrary: fc.record({
      kind: fc.constant('list' as const),
      caller: readerArb,
      target: targetArb,
      filter: filterArb,
      pageSize: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 3 }),
      orderBy: orderArb,
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('facets' as const), caller: readerArb, target: targetArb, filter: filterArb }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('entities' as const),
      caller: readerArb,
      ids: fc.array(idArb, { minLength: 1, maxLength: 4 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('viewer' as const), caller: readerArb }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('save' as const),
      caller: writerArb,
      target: targetArb,
      id: fc.oneof(idArb, fc.record({ kind: fc.constant('new' as const), group: fc.nat({ max: PREFIX_GROUPS - 1 }) })),
      input: saveArb,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('update' as const), caller: writerArb, target: targetArb, id: idArb, input: updateArb }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('lifecycle' as const),
      op: fc.constantFrom(...LIFECYCLE),
      caller: writerArb,
      target: targetArb,
      id: idArb,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      caller: writerArb,
      target: targetArb,
      id: idArb,
      messages: fc.integer({ min: 1, max: 2 }),
      // Now and then a message id already stored in some session: ALREADY_EXISTS unless it is this one's.
      foreign: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      pick: fc.nat(),
      op: fc.constantFrom<'revoke' | 'expire'>('revoke', 'expire'),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('membership' as const),
      user: fc.nat(),
      workspace: fc.nat(),
      role: fc.option(roleArb, { freq: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('deleteUser' as const), user: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('export' as const), caller: readerArb, target: targetArb, id: idArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('messageSearch' as const), caller: readerArb, target: targetArb }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('fork' as const), caller: writerArb, target: targetArb, id: idArb, at: fc.nat() }),
    weight: 2,
  },
);

export interface Scenario {
  world: WorldSpec;
  actions: Action[];
}

export const scenarioArb = (maxActions: number): fc.Arbitrary<Scenario> =>
  fc.record({ world: worldArb, actions: fc.array(actionArb, { minLength: Math.ceil(maxActions / 2), maxLength: maxActions }) });
