import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { revokeToken } from '../../src/admin/provision.js';
import {
  AppendTranscriptDocument,
  ArchiveSessionDocument,
  DeleteSessionDocument,
  FreezeSessionDocument,
  IsolationEntitiesDocument,
  IsolationExportDocument,
  IsolationForkDocument,
  IsolationMessageSearchDocument,
  IsolationNodesDocument,
  IsolationPageDocument,
  IsolationSessionDocument,
  SaveSessionDocument,
  SessionFacetsDocument,
  UnarchiveSessionDocument,
  UpdateSessionDocument,
  ViewerDocument,
  type IsolationMessageSearchQuery,
  type IsolationPageQuery,
  type SessionFilter,
} from '../generated/graphql.js';
import { uuidWithPrefix } from '../support/ids.js';
import type { Response, TestServer } from '../support/server.js';
import {
  expectAppend,
  expectEntities,
  expectExport,
  expectFacets,
  expectFork,
  expectLifecycle,
  expectList,
  expectMessageSearch,
  expectSave,
  expectSession,
  expectUpdate,
  expectViewer,
  isDenied,
  type Caller,
  type Denied,
  type ModelSession,
  type Outcome,
  type SaveRequest,
  type UpdateRequest,
} from './access-model.js';
import type { SeededWorld } from './seed-world.js';
import { apiView, byId, modelView, readDatabaseState } from './views.js';
import { WorldReferences, type Place } from './references.js';
import type { Tally } from './tally.js';
import type { Action } from './world.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Runs a scenario's actions against the real server and, for each, asserts that the answer is
 * the model's: data for what the caller may see or do, the error code otherwise; after every
 * write, that the database holds what the model holds (and, after a refused write, exactly what
 * it held before).
 */
export class ScenarioRunner {
  private readonly refs: WorldReferences;

  constructor(
    private readonly server: TestServer,
    private readonly world: SeededWorld,
    private readonly tally: Tally,
  ) {
    this.refs = new WorldReferences(world);
  }

  private get model() {
    return this.world.model;
  }

  private get prisma() {
    return this.server.db.database.prisma;
  }

  async run(action: Action): Promise<void> {
    switch (action.kind) {
      case 'read':
        return this.read(action);
      case 'list':
        return this.list(action);
      case 'facets':
        return this.facets(action);
      case 'entities':
        return this.entities(action);
      case 'viewer':
        return this.viewer(this.refs.callerFor(action.caller, null, null).caller, 'viewer');
      case 'save':
        return this.save(action);
      case 'update':
      case 'lifecycle':
      case 'append':
        return this.change(action);
      case 'token':
        return this.token(action);
      case 'membership':
        return this.membership(action);
      case 'deleteUser':
        return this.deleteUser(action);
      case 'export':
        return this.export(action);
      case 'messageSearch':
        return this.messageSearch(action);
      case 'fork':
        return this.fork(action);
    }
  }

  // --- sending and comparing ---------------------------------------------------------------------

  private async send<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    caller: Caller,
  ): Promise<Response<TResult>> {
    this.tally.requests += 1;
    return this.server.execute(document, variables, caller.anonymous ? undefined : caller.secret);
  }

  /** The refusal the model predicts: that code, no data for the field, HTTP 401 when it fails the whole request. */
  private assertDenied<T>(response: Response<T>, field: string, denied: Denied, context: string): void {
    this.tally.checks += 1;
    const codes = (response.body.errors ?? []).map((e) => e.extensions.code);
    expect(codes, `${context}: expected ${denied.denied}, got ${JSON.stringify(response.body)}`).toContain(denied.denied);
    expect(new Set(codes).size, `${context}: one kind of error`).toBe(1);
    if (denied.wholeRequest) {
      expect(response.status, `${context}: HTTP status`).toBe(401);
      expect(response.body.data ?? null, context).toBeNull();
    } else {
      // A field error keeps HTTP 200 (GraphQL over HTTP); only a bad token fails the request.
      expect(response.status, `${context}: HTTP status`).toBe(200);
      const data = response.body.data as Record<string, unknown> | null | undefined;
      const value = data?.[field] ?? null;
      // _entities answers a list with one error per reference: every entry must be null.
      const leaked = Array.isArray(value) ? value.filter((entry) => entry !== null) : value;
      expect(leaked === null || (Array.isArray(leaked) && leaked.length === 0), `${context}: no data, got ${JSON.stringify(value)}`).toBe(
        true,
      );
    }
  }

  private assertOk<T>(response: Response<T>, context: string): T {
    this.tally.checks += 1;
    expect(response.body.errors, `${context}: unexpected errors`).toBeUndefined();
    expect(response.status, context).toBe(200);
    return response.body.data!;
  }

  private describe(action: Action, who: string, place?: Place, id?: string): string {
    const where = place ? ` in ${place.org}/${place.workspace}` : '';
    return `${action.kind}${'op' in action ? `:${action.op}` : ''} by ${who}${where}${id ? ` on ${id}` : ''}`;
  }

  // --- reads ---------------------------------------------------------------------------------------

  private async read(action: Extract<Action, { kind: 'read' }>): Promise<void> {
    const session = this.refs.sessionOf(action.id);
    const place = this.refs.placeFor(action.target, session);
    const { caller, who } = this.refs.callerFor(action.caller, place, session);
    const id = this.refs.idFor(action.id);
    const context = this.describe(action, who, place, id);
    const expected = expectSession(this.model, caller, place.org, place.workspace, id);
    this.tally.record('session', expected);
    const response = await this.send(IsolationSessionDocument, { org: place.org, workspace: place.workspace, id }, caller);
    if (isDenied(expected)) return this.assertDenied(response, 'session', expected, context);
    const data = this.assertOk(response, context);
    expect(apiView(data.session!), `${context}: session and its transcript`).toEqual(modelView(expected.ok));
  }

  private async list(action: Extract<Action, { kind: 'list' }>): Promise<void> {
    const place = this.refs.placeFor(action.target, null);
    const { caller, who } = this.refs.callerFor(action.caller, place, null);
    const filter = this.refs.filterFor(action.filter);
    const context = `${this.describe(action, who, place)} with ${JSON.stringify(filter)} by ${JSON.stringify(action.orderBy)}, pages of ${action.pageSize ?? 'default'}`;
    const expected = expectList(this.model, caller, place.org, place.workspace, filter);
    this.tally.record('sessions', expected);
    const variables = {
      org: place.org,
      workspace: place.workspace,
      filter: filter as SessionFilter,
      orderBy: action.orderBy,
      first: action.pageSize,
    };
    if (isDenied(expected)) {
      return this.assertDenied(await this.send(IsolationPageDocument, variables, caller), 'sessions', expected, context);
    }
    const wanted = expected.ok.map((s) => modelView(s)).sort(byId);
    const seen = [];
    let after: string | null = null;
    // Page to the end: every page counts the same total, and the pages together are exactly the visible set.
    for (let page = 0; page <= wanted.length + 1; page += 1) {
      const response: Response<IsolationPageQuery> = await this.send(IsolationPageDocument, { ...variables, after }, caller);
      const data = this.assertOk(response, `${context}, page ${page}`);
      expect(data.sessions!.totalCount, `${context}: totalCount`).toBe(wanted.length);
      seen.push(...data.sessions!.nodes.map(apiView));
      if (!data.sessions!.pageInfo.hasNextPage) break;
      after = data.sessions!.pageInfo.endCursor;
    }
    expect(seen.sort(byId), `${context}: the sessions`).toEqual(wanted);
  }

  private async facets(action: Extract<Action, { kind: 'facets' }>): Promise<void> {
    const place = this.refs.placeFor(action.target, null);
    const { caller, who } = this.refs.callerFor(action.caller, place, null);
    const filter = this.refs.filterFor(action.filter);
    const context = `${this.describe(action, who, place)} with ${JSON.stringify(filter)}`;
    const expected = expectFacets(this.model, caller, place.org, place.workspace, filter);
    this.tally.record('sessionFacets', expected);
    const response = await this.send(SessionFacetsDocument, { org: place.org, workspace: place.workspace, filter: filter }, caller);
    if (isDenied(expected)) return this.assertDenied(response, 'sessionFacets', expected, context);
    const facets = this.assertOk(response, context).sessionFacets;
    // The contract orders values within each list; label keys are compared in key order.
    const labels = [...facets!.labels].sort((a, b) => (a.key < b.key ? -1 : 1));
    expect({ ...facets, labels }, `${context}: facets`).toEqual(expected.ok);
  }

  private async entities(action: Extract<Action, { kind: 'entities' }>): Promise<void> {
    const { caller, who } = this.refs.callerFor(action.caller, null, null);
    const ids = action.ids.map((ref) => this.refs.idFor(ref));
    const context = `${this.describe(action, who)} on ${ids.join(', ')}`;
    const expected = expectEntities(this.model, caller, ids);
    this.tally.record('_entities', expected);
    const representations = ids.map((id) => ({ __typename: 'Session', id }));
    const response = await this.send(IsolationEntitiesDocument, { representations }, caller);
    if (isDenied(expected)) return this.assertDenied(response, '_entities', expected, context);
    this.tally.checks += 1;
    expect(response.status, context).toBe(200);
    // A reference the caller may not see is null with a NOT_FOUND error at its place.
    const errors = (response.body.errors ?? []).map((error) => [error.extensions.code, error.path]);
    const hidden = expected.ok.flatMap((session, i) => (session ? [] : [['NOT_FOUND', ['_entities', i]]]));
    expect(
      errors.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      `${context}: entity errors`,
    ).toEqual(hidden.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    const visible = expected.ok.map((s) => (s ? modelView(s) : null));
    expect(
      response.body.data!._entities.map((s) => (s ? apiView(s) : null)),
      `${context}: entities`,
    ).toEqual(visible);

    // node(id:) finds the same sessions, and nothing (null, no error) where a reference is hidden.
    const nodes = this.assertOk(await this.send(IsolationNodesDocument, { ids }, caller), `${context}: nodes`);
    expect(
      nodes.nodes.map((node) => (node?.__typename === 'Session' ? apiView(node) : null)),
      `${context}: nodes`,
    ).toEqual(visible);
  }

  private async viewer(caller: Caller, context: string): Promise<void> {
    const expected = expectViewer(this.model, caller);
    this.tally.record('viewer', expected);
    const response = await this.send(ViewerDocument, {}, caller);
    if (isDenied(expected)) return this.assertDenied(response, 'viewer', expected, context);
    const viewer = this.assertOk(response, context).viewer;
    const order = (m: { org: string; workspace: string }) => `${m.org}/${m.workspace}`;
    const sorted = <T extends { org: string; workspace: string }>(list: T[]) => [...list].sort((a, b) => (order(a) < order(b) ? -1 : 1));
    expect({ userId: viewer!.user.id, kind: viewer!.tokenKind, memberships: sorted(viewer!.memberships) }, `${context}: viewer`).toEqual({
      ...expected.ok,
      memberships: sorted(expected.ok.memberships),
    });
  }

  /** Session.trajectory (NATIVE) holds the session's messages; the download answers the same, or the refusal's HTTP status. */
  private async export(action: Extract<Action, { kind: 'export' }>): Promise<void> {
    const session = this.refs.sessionOf(action.id);
    const place = this.refs.placeFor(action.target, session);
    const { caller, who } = this.refs.callerFor(action.caller, place, session);
    const id = this.refs.idFor(action.id);
    const context = this.describe(action, who, place, id);
    const expected = expectExport(this.model, caller, place.org, place.workspace, id);
    this.tally.record('export', expected);
    const response = await this.send(IsolationExportDocument, { org: place.org, workspace: place.workspace, id }, caller);
    const path = `/api/v1/org/${encodeURIComponent(place.org)}/ws/${encodeURIComponent(place.workspace)}/sessions/${id}/trajectory`;
    const download = await this.server.yoga.fetch(`http://localhost${path}?format=native&include_compacted=true`, {
      headers: caller.anonymous ? {} : { authorization: `Bearer ${caller.secret}` },
    });
    this.tally.requests += 1;
    this.tally.checks += 1;
    if (isDenied(expected)) {
      const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_REQUEST: 400, ALREADY_EXISTS: 409, CONFLICT: 409 }[
        expected.denied
      ];
      expect(download.status, `${context}: download status`).toBe(status);
      expect(await download.text(), `${context}: download body`).not.toContain('"messages"');
      return this.assertDenied(response, 'session', expected, context);
    }
    const data = this.assertOk(response, context);
    const messageIds = (doc: unknown) => (doc as { messages: { id: string }[] }).messages.map((m) => m.id);
    expect(messageIds(data.session!.trajectory), `${context}: exported messages`).toEqual(expected.ok.messageIds);
    expect(download.status, `${context}: download status`).toBe(200);
    expect(messageIds(await download.json()), `${context}: downloaded messages`).toEqual(expected.ok.messageIds);
  }

  /** searchMessages for a query every message matches: exactly the messages of the sessions the caller can see. */
  private async messageSearch(action: Extract<Action, { kind: 'messageSearch' }>): Promise<void> {
    const place = this.refs.placeFor(action.target, null);
    const { caller, who } = this.refs.callerFor(action.caller, place, null);
    const context = this.describe(action, who, place);
    const expected = expectMessageSearch(this.model, caller, place.org, place.workspace);
    this.tally.record('searchMessages', expected);
    const variables = { org: place.org, workspace: place.workspace, after: null as string | null };
    if (isDenied(expected)) {
      return this.assertDenied(await this.send(IsolationMessageSearchDocument, variables, caller), 'searchMessages', expected, context);
    }
    const seen: string[] = [];
    for (let page = 0; page < 20; page += 1) {
      const response: Response<IsolationMessageSearchQuery> = await this.send(IsolationMessageSearchDocument, variables, caller);
      const result = this.assertOk(response, `${context}, page ${page}`).searchMessages!;
      for (const hit of result.nodes) {
        const owner = this.model.sessions.find((s) => s.id === hit.session!.id);
        expect(owner?.messageIds, `${context}: the hit's session`).toContain(hit.message.id);
        seen.push(hit.message.id);
      }
      if (!result.pageInfo.hasNextPage) break;
      variables.after = result.pageInfo.endCursor;
    }
    expect(seen.sort(), `${context}: the matching messages`).toEqual([...expected.ok].sort());
  }

  /** forkSession: a new PRIVATE session of the caller's with the source's first `at` messages (new ids). */
  private async fork(action: Extract<Action, { kind: 'fork' }>): Promise<void> {
    const session = this.refs.sessionOf(action.id);
    const place = this.refs.placeFor(action.target, session);
    const { caller, who } = this.refs.callerFor(action.caller, place, session);
    const id = this.refs.idFor(action.id);
    const atSeq = action.at % ((session?.messageIds.length ?? 0) + 1);
    const newId = randomUUID();
    const context = `${this.describe(action, who, place, id)} at ${atSeq} as ${newId}`;
    const expected = expectFork(this.model, caller, place.org, place.workspace, id, newId);
    this.tally.record('forkSession', expected);
    await this.write(
      expected,
      'forkSession',
      context,
      () => this.send(IsolationForkDocument, { org: place.org, workspace: place.workspace, id, input: { atSeq, newId } }, caller),
      (data) => {
        if (isDenied(expected)) return;
        const fork = data.forkSession!;
        const messageIds = fork.transcript!.messages.map((m) => m.id);
        expect(messageIds, `${context}: copied messages`).toHaveLength(atSeq);
        for (const messageId of messageIds) {
          expect(
            this.model.sessions.some((s) => s.messageIds.includes(messageId)),
            `${context}: a copy has a new id`,
          ).toBe(false);
        }
        const next = { ...expected.ok, messageIds };
        expect(apiView(fork), `${context}: the fork`).toEqual(modelView(next));
        this.apply(newId, next);
      },
    );
  }

  // --- writes --------------------------------------------------------------------------------------

  private workspaceIds(): string[] {
    return this.model.workspaces.map((w) => w.id);
  }

  /**
   * Sends a write and checks the database afterwards: after a refusal every row of the world is
   * exactly as before; after a success the rows are what the model now holds.
   */
  private async write<T>(
    expected: Outcome<unknown>,
    field: string,
    context: string,
    send: () => Promise<Response<T>>,
    onOk: (data: T) => void,
  ): Promise<void> {
    const before = isDenied(expected) ? await readDatabaseState(this.prisma, this.workspaceIds()) : null;
    const response = await send();
    if (isDenied(expected)) {
      this.assertDenied(response, field, expected, context);
      const after = await readDatabaseState(this.prisma, this.workspaceIds());
      this.tally.checks += 1;
      expect(after.exact, `${context}: a refused write changed the database`).toBe(before!.exact);
      return;
    }
    onOk(this.assertOk(response, context));
    const after = await readDatabaseState(this.prisma, this.workspaceIds());
    this.tally.checks += 1;
    expect(after.views, `${context}: the database after the write`).toEqual(this.model.sessions.map((s) => modelView(s, true)).sort(byId));
  }

  /** Replaces (or, for null, removes) a session in the model; a new one can be referred to from now on. */
  private apply(id: string, next: ModelSession | null): void {
    const sessions = this.model.sessions;
    const index = sessions.findIndex((s) => s.id === id);
    if (index >= 0) sessions.splice(index, 1);
    if (next) {
      sessions.push(next);
      this.refs.remember(next);
    }
  }

  private async save(action: Extract<Action, { kind: 'save' }>): Promise<void> {
    const session = this.refs.sessionOf(action.id);
    const place = this.refs.placeFor(action.target, session);
    const { caller, who } = this.refs.callerFor(action.caller, place, session);
    const group = action.id.kind === 'new' || action.id.kind === 'prefix' ? action.id.group : 0;
    // saveSession takes full UUIDs only: a prefix or unknown reference saves a new id of that group.
    const id = session?.id ?? uuidWithPrefix(this.world.groupPrefixes[group]!);
    const { input: spec } = action;
    const input: SaveRequest = {
      id,
      model: spec.model,
      agent: spec.agent,
      title: spec.titleWords.length > 0 ? spec.titleWords.join(' ') : null,
      ...(spec.origin ? { origin: spec.origin } : {}),
      ...(spec.visibility ? { visibility: spec.visibility } : {}),
      ...(spec.labels ? { labels: spec.labels } : {}),
      ...(spec.project !== undefined ? { projectId: this.world.projects[spec.project]! } : {}),
    };
    const context = `${this.describe(action, who, place, id)} with ${JSON.stringify(input)}`;
    const expected = expectSave(this.model, caller, place.org, place.workspace, input);
    this.tally.record(`saveSession ${session ? 'existing' : 'new'}`, expected);
    const existed = this.model.sessions.some((s) => s.id === id);
    await this.write(
      expected,
      'saveSession',
      context,
      () => this.send(SaveSessionDocument, { org: place.org, workspace: place.workspace, input }, caller),
      (data) => {
        expect(data.saveSession!.id, context).toBe(id);
        if (!isDenied(expected)) this.apply(id, expected.ok);
      },
    );
    // A refused save leaves no row behind, wherever it aimed.
    this.tally.checks += 1;
    expect(await this.prisma.session.count({ where: { id } }), `${context}: rows with this id`).toBe(
      existed || !isDenied(expected) ? 1 : 0,
    );
  }

  private async change(action: Extract<Action, { kind: 'update' | 'lifecycle' | 'append' }>): Promise<void> {
    const session = this.refs.sessionOf(action.id);
    const place = this.refs.placeFor(action.target, session);
    const { caller, who } = this.refs.callerFor(action.caller, place, session);
    const id = this.refs.idFor(action.id);
    const at = { org: place.org, workspace: place.workspace, id };
    const context = this.describe(action, who, place, id);

    if (action.kind === 'update') {
      const { title, ...rest } = action.input;
      const input: UpdateRequest = { ...rest, ...(title !== undefined ? { title: title === null ? null : title.join(' ') } : {}) };
      const expected = expectUpdate(this.model, caller, place.org, place.workspace, id, input);
      this.tally.record(`updateSession${input.visibility ? ' visibility' : ''}`, expected);
      return this.write(
        expected,
        'updateSession',
        `${context} with ${JSON.stringify(input)}`,
        () => this.send(UpdateSessionDocument, { ...at, input }, caller),
        (data) => {
          if (isDenied(expected)) return;
          expect(data.updateSession!.id, context).toBe(expected.ok.id);
          this.apply(expected.ok.id, expected.ok);
        },
      );
    }

    if (action.kind === 'append') {
      const stored = this.model.sessions.flatMap((s) => s.messageIds);
      const foreign = action.foreign !== null && stored.length > 0 ? [stored[action.foreign % stored.length]!] : [];
      const messageIds = [...Array.from({ length: action.messages }, () => randomUUID()), ...foreign];
      const expected = expectAppend(this.model, caller, place.org, place.workspace, id, messageIds);
      this.tally.record('appendTranscript', expected);
      const messages = messageIds.map((messageId) => ({ id: messageId, role: 'USER' as const, content: 'hello' }));
      return this.write(
        expected,
        'appendTranscript',
        `${context} with ${messageIds.join(', ')}`,
        () => this.send(AppendTranscriptDocument, { ...at, input: { messages } }, caller),
        (data) => {
          if (isDenied(expected)) return;
          expect(data.appendTranscript!.session.id, context).toBe(expected.ok.id);
          expect(data.appendTranscript!.lastSeq, `${context}: lastSeq`).toBe(
            Math.max(...messageIds.map((m) => expected.ok.messageIds.indexOf(m) + 1)),
          );
          this.apply(expected.ok.id, expected.ok);
        },
      );
    }

    const expected = expectLifecycle(this.model, caller, place.org, place.workspace, id, action.op);
    this.tally.record(`${action.op}Session`, expected);
    const field = `${action.op}Session`;
    const request = (): Promise<Response<Record<string, { id?: string; deletedSessionId?: string } | null>>> => {
      switch (action.op) {
        case 'archive':
          return this.send(ArchiveSessionDocument, at, caller);
        case 'unarchive':
          return this.send(UnarchiveSessionDocument, at, caller);
        case 'freeze':
          return this.send(FreezeSessionDocument, at, caller);
        case 'delete':
          return this.send(DeleteSessionDocument, at, caller);
      }
    };
    return this.write(expected, field, context, request, (data) => {
      if (isDenied(expected)) return;
      const result = data[field];
      expect(result?.deletedSessionId ?? result?.id, context).toBe(expected.ok.id);
      this.apply(expected.ok.id, action.op === 'delete' ? null : expected.ok);
    });
  }

  /**
   * A token that worked stops working at once when revoked or expired: the next request with it
   * is UNAUTHENTICATED (HTTP 401), whatever it asks for.
   */
  private async token(action: Extract<Action, { kind: 'token' }>): Promise<void> {
    const token = this.model.tokens[action.pick % this.model.tokens.length];
    if (!token) return;
    const caller: Caller = { anonymous: false, secret: token.secret };
    const context = `${action.op} of a ${token.usable ? 'live' : 'dead'} ${token.kind} token`;
    await this.viewer(caller, `${context}, before`);
    if (action.op === 'revoke') await revokeToken(this.prisma, token.secret);
    else
      await this.prisma.apiToken.updateMany({
        where: { tokenHash: sha256(token.secret) },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
    token.usable = false;
    await this.viewer(caller, `${context}, after`);
  }

  private async membership(action: Extract<Action, { kind: 'membership' }>): Promise<void> {
    const { users, workspaces, memberships, tokens } = this.model;
    const user = users[action.user % users.length];
    if (!user) return;
    const workspace = workspaces[action.workspace % workspaces.length]!;
    const key = { workspaceId_userId: { workspaceId: workspace.id, userId: user.id } };
    const index = memberships.findIndex((m) => m.userId === user.id && m.workspaceId === workspace.id);
    if (index >= 0) memberships.splice(index, 1);
    if (action.role === null) {
      await this.prisma.membership.deleteMany({ where: key.workspaceId_userId });
    } else {
      await this.prisma.membership.upsert({
        where: key,
        create: { ...key.workspaceId_userId, role: action.role },
        update: { role: action.role },
      });
      memberships.push({ workspaceId: workspace.id, userId: user.id, role: action.role });
    }
    const token = tokens.find((t) => t.userId === user.id);
    if (token)
      await this.viewer(
        { anonymous: false, secret: token.secret },
        `viewer after ${action.role ?? 'removal'} in ${workspace.org}/${workspace.slug}`,
      );
  }

  /**
   * Deleting a user removes their tokens (the next request with one is UNAUTHENTICATED) and
   * memberships; their sessions stay, owned by nobody: PRIVATE ones are then visible to no one.
   */
  private async deleteUser(action: Extract<Action, { kind: 'deleteUser' }>): Promise<void> {
    const model = this.model;
    const user = model.users[action.user % model.users.length];
    if (!user) return;
    const gone = model.tokens.filter((t) => t.userId === user.id);
    await this.prisma.user.deleteMany({ where: { id: user.id } });
    model.users = model.users.filter((u) => u.id !== user.id);
    model.tokens = model.tokens.filter((t) => t.userId !== user.id);
    model.memberships = model.memberships.filter((m) => m.userId !== user.id);
    model.sessions = model.sessions.map((s) => (s.ownerId === user.id ? { ...s, ownerId: null } : s));
    for (const token of gone)
      await this.viewer({ anonymous: false, secret: token.secret }, `viewer with a token of deleted user ${user.email}`);
    const after = await readDatabaseState(this.prisma, this.workspaceIds());
    this.tally.checks += 1;
    expect(after.views, `deleting ${user.email}: the sessions stay, without an owner`).toEqual(
      model.sessions.map((s) => modelView(s, true)).sort(byId),
    );
  }

  /** Tokens are stored as SHA-256 only: no column of any token row holds a secret. */
  async assertTokensStoredHashed(): Promise<void> {
    const userIds = this.model.users.map((u) => u.id);
    const rows = await this.prisma.$queryRaw<{ row: string; hash: string }[]>`
      SELECT row_to_json(t)::text AS row, t.token_hash AS hash FROM api_tokens t WHERE t.user_id = ANY(${userIds}::uuid[])`;
    this.tally.checks += 1;
    expect(rows.map((r) => r.hash).sort(), 'one row per token, keyed by its SHA-256').toEqual(
      this.model.tokens.map((t) => sha256(t.secret)).sort(),
    );
    for (const { secret } of this.model.tokens) {
      const bare = secret.replace(/^cst_/, '');
      const leaks = rows.filter((r) => r.row.includes(bare));
      expect(leaks, 'a token secret stored in api_tokens').toEqual([]);
    }
  }
}
