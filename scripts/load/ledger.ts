import { createHash } from 'node:crypto';

export type Visibility = 'PRIVATE' | 'WORKSPACE';
export type Role = 'USER' | 'ASSISTANT' | 'TOOL' | 'SYSTEM';

/** The fields of a session the load test writes, as the database should hold them. */
export interface SessionFields {
  model: string;
  title: string;
  agent: string | null;
  visibility: Visibility;
  /** `key=value` pairs, sorted. */
  labels: string[];
}

export interface AckedMessage {
  id: string;
  seq: number;
  role: Role;
  /** SHA-256 (hex) of the content's UTF-8 bytes; the database computes the same. */
  contentHash: string;
  /** input + output + cache read + cache creation tokens (0 unless a generation). */
  tokens: number;
}

/** A session whose creation was acknowledged, and every later write to it. */
export interface TrackedSession {
  id: string;
  userId: string;
  /** The state the last acknowledged write left. */
  acked: SessionFields;
  /**
   * States of later writes whose outcome is unknown (timeout, network error, 5xx): the database
   * may hold any one of them instead. Cleared by the next acknowledged write.
   */
  unsure: SessionFields[];
  /** Acknowledged messages, in seq order. */
  messages: AckedMessage[];
  /** An append with an unknown outcome happened: more messages than acknowledged may be stored. */
  appendUnsure: boolean;
}

/**
 * Every acknowledged write of the run. Each session is written by the one client that created
 * it, one request at a time, so its expected final state is simply its last acknowledged write.
 */
export interface Ledger {
  sessions: TrackedSession[];
  /** Ids of saves whose outcome is unknown: they may or may not exist, with these fields. */
  unsureSessions: { id: string; userId: string; fields: SessionFields }[];
}

export const newLedger = (): Ledger => ({ sessions: [], unsureSessions: [] });

export const contentHash = (content: string) => createHash('sha256').update(content, 'utf8').digest('hex');

export const labelPairs = (labels: { key: string; values: string[] }[]) =>
  [...new Set(labels.flatMap((label) => label.values.map((value) => `${label.key}=${value}`)))].sort();

export const sameFields = (a: SessionFields, b: SessionFields) =>
  a.model === b.model &&
  a.title === b.title &&
  a.agent === b.agent &&
  a.visibility === b.visibility &&
  a.labels.length === b.labels.length &&
  a.labels.every((pair, i) => pair === b.labels[i]);
