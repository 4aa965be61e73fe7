import fc from 'fast-check';
import { parseType, typeFromAST, type GraphQLField, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { argumentVariable, jsonObject, type Hints, type VariableSpec } from './arbitraries.js';
import { anyJson, hostileNumber, hostileString, uuidLike } from './hostile-values.js';
import { sessionPick } from './session-picks.js';
import type { FuzzWorld } from './world.js';

/**
 * One fuzz case per root field of the schema: what the operation selects, and which variables the
 * selection itself takes (Session.transcript's arguments). A root field added to the schema
 * without a case here fails the coverage test, so nothing new ships unfuzzed.
 */
export interface FuzzCase {
  selection: string;
  selectionVariables?: { name: string; type: string }[];
}

const SESSION_SELECTION = `{ id userId title model agent visibility origin messageCount archivedAt frozenAt frozenBy
  createdAt updatedAt lastMessageAt previewText labels { key values } }`;
const TRANSCRIPT_VARIABLES = [
  { name: 'afterSeq', type: 'Int' },
  { name: 'transcriptFirst', type: 'Int' },
];
const TRANSCRIPT = `transcript(afterSeq: $afterSeq, first: $transcriptFirst) { hasMore messages { id seq role content parentId
  toolCallId toolCalls { callId name arguments } metadata usage { inputTokens outputTokens costUsd } createdAt } }`;

export const FUZZ_CASES: Readonly<Record<string, FuzzCase>> = {
  session: {
    selection: `{ id title labels { key values } creator { id email }
      usage { totalTokens totalToolCallCount totalCostUsd lastGenerationInputTokens } ${TRANSCRIPT} }`,
    selectionVariables: TRANSCRIPT_VARIABLES,
  },
  sessions: {
    selection: `{ totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id updatedAt labels { key values } usage { totalTokens } creator { email } } } }`,
  },
  sessionFacets: {
    selection: `{ labels { key values { value count } } agents { value count } models { value count }
      origins { value count } users { value count } }`,
  },
  node: { selection: '{ __typename id ... on Session { title labels { key } } ... on Message { seq content } ... on User { email } }' },
  nodes: { selection: '{ __typename id ... on Session { title } ... on Message { seq } ... on User { email } }' },
  viewer: { selection: '{ user { id email username fullName } tokenKind memberships { org orgName workspace workspaceName role } }' },
  _service: { selection: '{ sdl }' },
  _entities: { selection: '{ __typename ... on Session { id title visibility labels { key values } } }' },
  saveSession: { selection: SESSION_SELECTION },
  updateSession: { selection: SESSION_SELECTION },
  archiveSession: { selection: '{ id archivedAt frozenAt updatedAt }' },
  unarchiveSession: { selection: '{ id archivedAt frozenAt updatedAt }' },
  freezeSession: { selection: '{ id archivedAt frozenAt frozenBy updatedAt }' },
  deleteSession: { selection: '{ deletedSessionId }' },
  appendTranscript: { selection: '{ lastSeq session { id messageCount previewText lastMessageAt usage { totalTokens totalCostUsd } } }' },
  // Subscriptions sent as the fuzz sends everything (a POST that does not accept a stream): every
  // argument is checked before any feed opens, and the answer keeps the contract.
  transcript: { selection: '{ seq content }' },
  sessionEvents: { selection: '{ kind sessionId session { id } }' },
};

export interface RootField {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
}

export function rootFields(schema: GraphQLSchema): RootField[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  return roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ name: field.name, kind, field })));
}

/** The operation a case sends: every argument of the field as a variable, with its schema type. */
export interface FuzzOperation {
  field: string;
  kind: RootField['kind'];
  document: string;
  variables: VariableSpec[];
}

export function fuzzOperation(schema: GraphQLSchema, root: RootField, fuzzCase: FuzzCase): FuzzOperation {
  const selectionVariables = (fuzzCase.selectionVariables ?? []).map(({ name, type }): VariableSpec => {
    const resolved = typeFromAST(schema, parseType(type)) as GraphQLInputType | undefined;
    if (!resolved) throw new Error(`fuzz case ${root.name}: unknown type ${type}`);
    return { name, type: resolved, coordinates: [name] };
  });
  const variables = [...root.field.args.map((arg) => argumentVariable(root.name, arg)), ...selectionVariables];
  const definitions = variables.map((variable) => `$${variable.name}: ${String(variable.type)}`).join(', ');
  const args = root.field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const document = `${root.kind} Fuzz${definitions ? `(${definitions})` : ''} { ${root.name}${args ? `(${args})` : ''} ${fuzzCase.selection} }`;
  return { field: root.name, kind: root.kind, document, variables };
}

/** Cursors a client could forge: JSON positions with any field, direction, value and id. */
const forgedCursor: fc.Arbitrary<string> = fc
  .record(
    {
      field: fc.oneof(fc.constantFrom('UPDATED_AT', 'CREATED_AT', 'LAST_MESSAGE_AT', 'MESSAGE_COUNT'), anyJson),
      direction: fc.oneof(fc.constantFrom('ASC', 'DESC'), anyJson),
      value: fc.oneof(
        fc
          .date({ noInvalidDate: true, min: new Date('-000050-01-01T00:00:00Z'), max: new Date('+010001-01-01T00:00:00Z') })
          .map((d) => d.toISOString()),
        fc.constantFrom(
          '0000-01-01T00:00:00.000Z',
          '1970-01-01T00:00:00.000Z',
          '9999-12-31T23:59:59.999Z',
          '2024-02-30T00:00:00.000Z',
          null,
        ),
        fc.integer(),
        hostileNumber,
        anyJson,
      ),
      id: fc.oneof(fc.uuid(), uuidLike, anyJson),
    },
    { requiredKeys: [] },
  )
  .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url'));

/**
 * Domain values for the coordinates where random ones would never get past a lookup. Each yields
 * values of its position's type (malformed runs add the wrong ones, arbitraries.ts).
 */
export function domainHints(world: FuzzWorld): Hints {
  const slug = (own: string, other: string) =>
    fc.oneof(
      { weight: 30, arbitrary: fc.constant(own) },
      { weight: 1, arbitrary: fc.constant(other) },
      { weight: 1, arbitrary: fc.constant(own.toUpperCase()) },
      { weight: 2, arbitrary: hostileString },
    );
  const words = fc.constantFrom('infra', 'docs', 'docs team', 'prod', 'gpt-4o', 'claude-3', 'm', 'coder', 'flaky build', 'team');
  const text = fc.oneof(
    { weight: 4, arbitrary: words },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 2, arbitrary: hostileString },
  );
  const labelKey = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('team', 'env', 'a.b/c:d-e_f') },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_.:/-]{0,62}$/) },
    { weight: 1, arbitrary: fc.constantFrom('Team', '-x', 'a'.repeat(64), '', 'ünï', 'a b') },
    { weight: 1, arbitrary: hostileString },
  );
  const pageSize = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 105 }) },
    { weight: 1, arbitrary: hostileNumber },
  );
  const cursor = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...world.cursors.defaultOrder) },
    { weight: 1, arbitrary: fc.constantFrom(...world.cursors.createdAtAsc) },
    { weight: 3, arbitrary: forgedCursor },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')) },
    { weight: 1, arbitrary: hostileString },
  );
  // Past the bounds (256 characters, 32 terms): one long word, a long pair, thousands of words.
  const longSearch = fc.oneof(
    fc.constantFrom(251, 2_100, 10_000).map((n) => `team:${'v'.repeat(n)}`),
    fc.constantFrom(32, 33, 5_000, 20_000).map((n) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ')),
    fc.constantFrom(256, 257, 10_000).map((n) => 'w'.repeat(n)),
    fc.constantFrom(20, 200).map((n) => Array.from({ length: n }, (_, i) => `-"p ${i}" or k${i}:v`).join(' ')),
  );
  const shortSearch = fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: words },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            '"',
            'or',
            'OR',
            '-',
            '-release',
            ':',
            'team:infra',
            'team:"docs team"',
            '!!!',
            '(',
            ')',
            '&',
            '|',
            '*',
            ':*',
            '<->',
            '\\',
            "'",
            '4o',
            'a',
          ),
        },
        { weight: 1, arbitrary: hostileString },
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(' '));
  const search = fc.oneof({ weight: 1, arbitrary: shortSearch }, { weight: 1, arbitrary: longSearch });
  const sessionId = fc.oneof(
    { weight: 10, arbitrary: sessionPick() },
    { weight: 1, arbitrary: fc.constant(world.sharedPrefix) },
    { weight: 1, arbitrary: uuidLike },
    { weight: 1, arbitrary: hostileString },
  );
  const freshOrExistingId = fc.oneof(
    { weight: 3, arbitrary: fc.uuid({ version: 4 }) },
    { weight: 1, arbitrary: sessionPick(['full', 'upper']) },
  );
  const representation = fc.oneof(
    { weight: 6, arbitrary: sessionPick(['full', 'upper', 'prefix8']).map((id) => ({ __typename: 'Session', id })) },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          __typename: fc.oneof(fc.constantFrom('Session', 'Query', 'Viewer', 'Nope'), hostileString, anyJson),
          id: fc.oneof(uuidLike, anyJson),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: anyJson },
  );
  // Any id a Node may have: sessions (ours and others'), messages, users, and ids of nothing.
  const nodeId = fc.oneof(
    { weight: 4, arbitrary: sessionPick(['full', 'upper']) },
    { weight: 2, arbitrary: fc.constantFrom(...world.messageIds) },
    { weight: 2, arbitrary: fc.constantFrom(...world.userIds) },
    { weight: 1, arbitrary: uuidLike },
    { weight: 1, arbitrary: hostileString },
  );
  const tokenCount = fc.oneof(
    { weight: 8, arbitrary: fc.nat({ max: 5000 }) },
    { weight: 1, arbitrary: fc.constantFrom(2 ** 31 - 1, 2 ** 31) },
  );
  const seq = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -2, max: 6 }) }, { weight: 1, arbitrary: hostileNumber });
  const transcriptPage = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -1, max: 1001 }) }, { weight: 1, arbitrary: hostileNumber });
  const content = fc.oneof(
    { weight: 4, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom(999_999, 1_000_000, 1_000_001).map((n) => 'c'.repeat(n)) },
  );

  return {
    org: slug(world.tenant.org, world.other.org),
    workspace: slug(world.tenant.workspace, world.other.workspace),
    id: sessionId,
    'SaveSessionInput.id': freshOrExistingId,
    'SaveSessionInput.model': text,
    'SaveSessionInput.agent': text,
    'SaveSessionInput.title': text,
    'UpdateSessionInput.model': text,
    'UpdateSessionInput.agent': text,
    'UpdateSessionInput.title': text,
    'LabelInput.key': labelKey,
    'LabelInput.values': text,
    'LabelFilter.key': labelKey,
    'LabelFilter.values': text,
    'SessionFilter.agents': text,
    'SessionFilter.models': text,
    'SessionFilter.userIds': fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...world.userIds) }, { weight: 1, arbitrary: fc.uuid() }),
    'SessionFilter.search': search,
    'sessions.first': pageSize,
    'sessions.last': pageSize,
    'sessions.after': cursor,
    'sessions.before': cursor,
    '_entities.representations': representation,
    'node.id': nodeId,
    'nodes.ids': nodeId,
    afterSeq: seq,
    transcriptFirst: transcriptPage,
    'MessageInput.id': fc.oneof(
      { weight: 4, arbitrary: fc.uuid({ version: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom(...world.messageIds) },
    ),
    // Usage is only allowed on ASSISTANT messages, and token counts add up to session totals that
    // must stay below 2^31: favour assistants and small counts, so that some batches are stored.
    'MessageInput.role': fc.oneof(
      { weight: 4, arbitrary: fc.constant('ASSISTANT') },
      { weight: 1, arbitrary: fc.constantFrom('USER', 'TOOL', 'SYSTEM') },
    ),
    ...Object.fromEntries(
      ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheCreationInputTokens'].map((field) => [
        `MessageUsageInput.${field}`,
        tokenCount,
      ]),
    ),
    'MessageInput.content': content,
    'MessageInput.toolCallId': text,
    'MessageInput.metadata': jsonObject,
    'ToolCallInput.id': text,
    'ToolCallInput.name': text,
    'ToolCallInput.arguments': fc.oneof({ weight: 2, arbitrary: fc.json({ maxDepth: 2 }) }, { weight: 1, arbitrary: hostileString }),
    'MessageUsageInput.costUsd': fc.oneof(
      { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
      { weight: 1, arbitrary: hostileNumber },
    ),
  };
}
