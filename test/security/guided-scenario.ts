import type { Action, SaveSpec, Scenario, SessionSpec } from './world.js';

/**
 * A hand-written scenario that fast-check runs before the random ones (`examples`), so every
 * path is compared with the model at least once whatever the random draw: each write succeeding
 * and each refusal (FORBIDDEN, NOT_FOUND, ALREADY_EXISTS, CONFLICT, UNAUTHENTICATED).
 *
 * Tokens in world order: 0 = user 0 (CONTRIBUTOR, USER token), 1 = user 1 (ADMIN, WORKER token),
 * 2 = user 2 (READER, SERVICE token), 3 = user 2 (USER token).
 * Sessions: 0 = user 0's WORKSPACE session, 1 = user 1's PRIVATE session, 2 = user 0's frozen one.
 * At the end user 2 leaves the workspace and user 0 is deleted (session 0 stays, owned by nobody).
 */
const session = (owner: number, visibility: SessionSpec['visibility'], group: number, frozen = false): SessionSpec => ({
  workspace: 0,
  owner,
  visibility,
  origin: 'USER',
  archived: false,
  frozen,
  model: 'llama',
  agent: 'coder',
  titleWords: ['apple'],
  project: 0,
  labels: [{ key: 'team', values: ['red'] }],
  group,
  messages: 1,
});

const home = { kind: 'home', pick: 0 } as const;
const s0 = { kind: 'session', pick: 0 } as const;
const s1 = { kind: 'session', pick: 1 } as const;
const s2 = { kind: 'session', pick: 2 } as const;
const owner = { kind: 'owner', pick: 0 } as const;
const token = (pick: number) => ({ kind: 'token', pick }) as const;
const save: SaveSpec = { model: 'llama', agent: null, titleWords: ['cherry'], origin: 'USER' };

const actions: Action[] = [
  { kind: 'save', caller: owner, target: home, id: s0, input: save },
  { kind: 'save', caller: token(0), target: home, id: s1, input: save },
  { kind: 'save', caller: token(2), target: home, id: { kind: 'new', group: 0 }, input: save },
  { kind: 'save', caller: token(1), target: home, id: { kind: 'new', group: 1 }, input: { ...save, origin: 'EVAL' } },
  { kind: 'save', caller: token(0), target: home, id: { kind: 'new', group: 1 }, input: { ...save, visibility: 'WORKSPACE' } },
  { kind: 'append', caller: owner, target: home, id: s0, messages: 2, foreign: null },
  { kind: 'append', caller: token(1), target: home, id: s0, messages: 1, foreign: null },
  { kind: 'update', caller: owner, target: home, id: s0, input: { title: ['banana'] } },
  { kind: 'update', caller: token(1), target: home, id: s0, input: { labels: [{ key: 'env', values: ['blue'] }] } },
  { kind: 'update', caller: token(1), target: home, id: s0, input: { visibility: 'PRIVATE' } },
  { kind: 'update', caller: token(2), target: home, id: s0, input: { model: 'gpt-4o' } },
  { kind: 'lifecycle', op: 'archive', caller: token(1), target: home, id: s0 },
  { kind: 'lifecycle', op: 'unarchive', caller: owner, target: home, id: s0 },
  // An ADMIN forks a colleague's WORKSPACE session into a PRIVATE one of their own; a READER cannot.
  { kind: 'fork', caller: token(1), target: home, id: s0, at: 2 },
  { kind: 'fork', caller: token(2), target: home, id: s0, at: 1 },
  { kind: 'export', caller: token(2), target: home, id: s0 },
  { kind: 'export', caller: token(2), target: home, id: s1 },
  { kind: 'messageSearch', caller: token(2), target: home },
  { kind: 'read', caller: token(2), target: home, id: s0 },
  { kind: 'read', caller: token(0), target: home, id: s1 },
  { kind: 'read', caller: token(1), target: { kind: 'unknownWorkspace', pick: 0 }, id: s1 },
  { kind: 'entities', caller: token(0), ids: [s0, s1, s2] },
  {
    kind: 'list',
    caller: token(3),
    target: home,
    filter: { archived: 'ANY' },
    pageSize: 1,
    orderBy: { field: 'CREATED_AT', direction: 'ASC' },
  },
  { kind: 'facets', caller: token(1), target: home, filter: {} },
  // Filters narrow, never widen: asking for user 0's sessions does not reveal their PRIVATE one to an ADMIN.
  {
    kind: 'list',
    caller: token(1),
    target: home,
    filter: { userIds: [0], archived: 'ANY', includeWorkloadSessions: true },
    pageSize: 2,
    orderBy: { field: 'MESSAGE_COUNT', direction: 'DESC' },
  },
  { kind: 'facets', caller: token(1), target: home, filter: { userIds: [0], archived: 'ANY' } },
  { kind: 'lifecycle', op: 'freeze', caller: token(1), target: home, id: s0 },
  { kind: 'update', caller: owner, target: home, id: s0, input: { agent: null } },
  { kind: 'lifecycle', op: 'delete', caller: owner, target: home, id: s2 },
  { kind: 'lifecycle', op: 'delete', caller: owner, target: home, id: s1 },
  { kind: 'read', caller: owner, target: home, id: s1 },
  { kind: 'token', pick: 0, op: 'revoke' },
  { kind: 'read', caller: token(0), target: home, id: s0 },
  { kind: 'token', pick: 3, op: 'expire' },
  { kind: 'list', caller: token(3), target: home, filter: {}, pageSize: null, orderBy: { field: 'UPDATED_AT', direction: 'DESC' } },
  { kind: 'read', caller: { kind: 'anonymous' }, target: home, id: s0 },
  { kind: 'membership', user: 2, workspace: 0, role: null },
  { kind: 'read', caller: token(2), target: home, id: s0 },
  // Session 0 is WORKSPACE: only membership keeps it from a former member through federation.
  { kind: 'entities', caller: token(2), ids: [s0] },
  { kind: 'deleteUser', user: 0 },
  { kind: 'read', caller: token(0), target: home, id: s0 },
];

export const GUIDED_SCENARIO: Scenario = {
  world: {
    orgs: [1],
    users: [
      { tokens: [{ kind: 'USER', state: 'live' }], roles: ['CONTRIBUTOR', null, null, null] },
      { tokens: [{ kind: 'WORKER', state: 'live' }], roles: ['ADMIN', null, null, null] },
      {
        tokens: [
          { kind: 'SERVICE', state: 'live' },
          { kind: 'USER', state: 'expiresLater' },
        ],
        roles: ['READER', null, null, null],
      },
    ],
    sessions: [session(0, 'WORKSPACE', 0), session(1, 'PRIVATE', 1), session(0, 'PRIVATE', 2, true)],
  },
  actions,
};
