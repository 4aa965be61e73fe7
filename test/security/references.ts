import { randomBytes } from 'node:crypto';
import { uuidWithPrefix } from '../support/ids.js';
import type { Caller, ModelFilter, ModelSession } from './access-model.js';
import type { SeededWorld } from './seed-world.js';
import type { CallerRef, FilterSpec, IdRef, TargetRef } from './world.js';

export interface Place {
  org: string;
  workspace: string;
  /** The world's workspace id, when the place exists. */
  workspaceId: string | null;
}

/**
 * Turns a scenario's random references (indices, kinds of caller and place) into the ids, slugs
 * and tokens of the world as it is when an action runs.
 */
export class WorldReferences {
  /** Every session the world ever had, deleted ones too (their ids must now be NOT_FOUND). */
  private readonly history: ModelSession[];

  constructor(private readonly world: SeededWorld) {
    this.history = [...world.model.sessions];
  }

  private get model() {
    return this.world.model;
  }

  /** A session created by the scenario can be referred to from now on. */
  remember(session: ModelSession): void {
    if (!this.history.some((s) => s.id === session.id)) this.history.push(session);
  }

  /** The session as it is now (as it last was, when deleted). */
  sessionOf(ref: IdRef | { kind: 'new' }): ModelSession | null {
    if (ref.kind !== 'session' || this.history.length === 0) return null;
    const past = this.history[ref.pick % this.history.length]!;
    return this.model.sessions.find((s) => s.id === past.id) ?? past;
  }

  idFor(ref: IdRef): string {
    if (ref.kind === 'prefix') return this.world.groupPrefixes[ref.group]!;
    return this.sessionOf(ref)?.id ?? uuidWithPrefix(this.world.groupPrefixes[0]!.slice(0, 6));
  }

  placeFor(ref: TargetRef, session: ModelSession | null): Place {
    const { workspaces, orgs } = this.model;
    switch (ref.kind) {
      case 'home': {
        const home = session ? workspaces.find((w) => w.id === session.workspaceId)! : workspaces[ref.pick % workspaces.length]!;
        return { org: home.org, workspace: home.slug, workspaceId: home.id };
      }
      case 'workspace': {
        const w = workspaces[ref.pick % workspaces.length]!;
        return { org: w.org, workspace: w.slug, workspaceId: w.id };
      }
      case 'unknownWorkspace':
        return { org: orgs[ref.pick % orgs.length]!, workspace: 'nowhere', workspaceId: null };
      case 'unknownOrg':
        return { org: this.world.unknownOrg, workspace: 'main', workspaceId: null };
    }
  }

  callerFor(ref: CallerRef, place: Place | null, session: ModelSession | null): { caller: Caller; who: string } {
    const { tokens, memberships } = this.model;
    const pickFrom = (candidates: typeof tokens, pick: number) => candidates[pick % candidates.length];
    switch (ref.kind) {
      case 'anonymous':
        return { caller: { anonymous: true }, who: 'anonymous' };
      case 'unknownToken':
        return { caller: { anonymous: false, secret: `cst_${randomBytes(32).toString('base64url')}` }, who: 'unknown token' };
      case 'token':
      case 'member':
      case 'owner': {
        // Owners and members act with a live token when they have one; dead tokens come through `token`.
        const live = (candidates: typeof tokens) => (candidates.some((t) => t.usable) ? candidates.filter((t) => t.usable) : candidates);
        const owners = live(session ? tokens.filter((t) => t.userId === session.ownerId) : []);
        const members = live(
          place ? tokens.filter((t) => memberships.some((m) => m.userId === t.userId && m.workspaceId === place.workspaceId)) : [],
        );
        const token =
          (ref.kind === 'owner' ? pickFrom(owners, ref.pick) : undefined) ??
          (ref.kind !== 'token' ? pickFrom(members, ref.pick) : undefined) ??
          pickFrom(tokens, ref.pick);
        // Every user may have been deleted by now.
        if (!token) return this.callerFor({ kind: 'unknownToken' }, place, session);
        const user = this.model.users.findIndex((u) => u.id === token.userId);
        return {
          caller: { anonymous: false, secret: token.secret },
          who: `user ${user} (${token.kind} token${token.usable ? '' : ', dead'})`,
        };
      }
    }
  }

  filterFor(spec: FilterSpec): ModelFilter {
    const { users } = this.model;
    const filter: ModelFilter = {};
    const nobody = '00000000-0000-4000-8000-000000000000';
    if (spec.userIds) filter.userIds = spec.userIds.map((i) => (i < 0 ? nobody : (users[i % users.length]?.id ?? nobody)));
    if (spec.projects) filter.projectIds = spec.projects.map((i) => this.world.projects[i]!);
    if (spec.agents) filter.agents = spec.agents;
    if (spec.models) filter.models = spec.models;
    if (spec.origins) filter.origins = spec.origins;
    if (spec.archived) filter.archived = spec.archived;
    if (spec.labels) filter.labels = spec.labels;
    const search = spec.search;
    if (search)
      filter.search = search.kind === 'word' ? search.word : search.kind === 'fragment' ? search.text : `${search.key}:${search.value}`;
    if (spec.includeWorkloadSessions !== undefined) filter.includeWorkloadSessions = spec.includeWorkloadSessions;
    return filter;
  }
}
