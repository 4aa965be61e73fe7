import type { MigrationConnection } from '../../src/db/migrate.js';
import { sameFields, type Ledger, type SessionFields, type Visibility } from './ledger.js';

type Query = MigrationConnection['query'];

export interface Verification {
  sessionsChecked: number;
  messagesChecked: number;
  /** Acknowledged writes that are missing or different in the database. Must be 0. */
  lostWrites: number;
  lost: {
    missingSessions: number;
    changedSessions: number;
    missingMessages: number;
    changedMessages: number;
  };
  /** Invariants of the stored data, whoever wrote it. Must all be 0. */
  integrity: {
    /** Sessions whose seqs are not exactly 1..n. */
    seqGaps: number;
    /** Sessions whose messageCount is not their number of stored messages. */
    messageCountMismatches: number;
    /** Stored messages that no acknowledged or unsure append accounts for. */
    unexpectedMessages: number;
    /** Sessions in the run's workspace that no save accounts for. */
    unexpectedSessions: number;
  };
  /** Writes whose outcome the client never learned (not counted as lost either way). */
  unsure: { saves: number; sessionsWithUnsureUpdates: number; sessionsWithUnsureAppends: number };
  /** Up to 20 descriptions of what failed. */
  examples: string[];
}

interface SessionRow {
  id: string;
  user_id: string | null;
  model: string | null;
  title: string | null;
  agent: string | null;
  visibility: Visibility;
  message_count: number;
}

interface LabelRow {
  session_id: string;
  key: string;
  value: string;
}

interface MessageRow {
  id: string;
  session_id: string;
  seq: number;
  role: string;
  content_hash: string;
}

const MAX_EXAMPLES = 20;

/**
 * Reads the run's workspace straight from the database and compares it with the ledger of
 * acknowledged writes. Run it after the server has stopped.
 */
export async function verifyLedger(query: Query, workspaceId: string, ledger: Ledger): Promise<Verification> {
  const sessions = await query<SessionRow>(
    `SELECT id, user_id, model, title, agent, visibility::text AS visibility, message_count
       FROM sessions WHERE workspace_id = $1`,
    [workspaceId],
  );
  const labels = await query<LabelRow>(
    `SELECT l.session_id, l.key, l.value FROM session_labels l JOIN sessions s ON s.id = l.session_id
      WHERE s.workspace_id = $1`,
    [workspaceId],
  );
  const messages = await query<MessageRow>(
    `SELECT m.id, m.session_id, m.seq, m.role::text AS role,
            encode(sha256(convert_to(m.content, 'UTF8')), 'hex') AS content_hash
       FROM session_messages m JOIN sessions s ON s.id = m.session_id
      WHERE s.workspace_id = $1`,
    [workspaceId],
  );

  const result: Verification = {
    sessionsChecked: ledger.sessions.length,
    messagesChecked: ledger.sessions.reduce((sum, session) => sum + session.messages.length, 0),
    lostWrites: 0,
    lost: { missingSessions: 0, changedSessions: 0, missingMessages: 0, changedMessages: 0 },
    integrity: { seqGaps: 0, messageCountMismatches: 0, unexpectedMessages: 0, unexpectedSessions: 0 },
    unsure: {
      saves: ledger.unsureSessions.length,
      sessionsWithUnsureUpdates: ledger.sessions.filter((session) => session.unsure.length > 0).length,
      sessionsWithUnsureAppends: ledger.sessions.filter((session) => session.appendUnsure).length,
    },
    examples: [],
  };
  const example = (text: string) => {
    if (result.examples.length < MAX_EXAMPLES) result.examples.push(text);
  };

  const sessionById = new Map(sessions.map((row) => [row.id, row]));
  const labelsBySession = new Map<string, string[]>();
  for (const row of labels) {
    const list = labelsBySession.get(row.session_id) ?? [];
    list.push(`${row.key}=${row.value}`);
    labelsBySession.set(row.session_id, list);
  }
  const messageById = new Map(messages.map((row) => [row.id, row]));
  const messagesBySession = new Map<string, MessageRow[]>();
  for (const row of messages) {
    const list = messagesBySession.get(row.session_id) ?? [];
    list.push(row);
    messagesBySession.set(row.session_id, list);
  }

  for (const session of ledger.sessions) {
    const row = sessionById.get(session.id);
    if (!row) {
      result.lost.missingSessions += 1;
      example(`session ${session.id}: acknowledged, not in the database`);
      continue;
    }
    const stored: SessionFields = {
      model: row.model ?? '',
      title: row.title ?? '',
      agent: row.agent,
      visibility: row.visibility,
      labels: (labelsBySession.get(session.id) ?? []).sort(),
    };
    const acceptable = [session.acked, ...session.unsure];
    if (row.user_id !== session.userId || !acceptable.some((fields) => sameFields(fields, stored))) {
      result.lost.changedSessions += 1;
      example(`session ${session.id}: stored ${JSON.stringify(stored)}, acknowledged ${JSON.stringify(session.acked)}`);
    }

    for (const message of session.messages) {
      const found = messageById.get(message.id);
      if (!found) {
        result.lost.missingMessages += 1;
        example(`message ${message.id} (seq ${message.seq} of session ${session.id}): acknowledged, not in the database`);
      } else if (
        found.session_id !== session.id ||
        found.seq !== message.seq ||
        found.role !== message.role ||
        found.content_hash !== message.contentHash
      ) {
        result.lost.changedMessages += 1;
        example(
          `message ${message.id}: stored in ${found.session_id} seq ${found.seq} ${found.role}, acknowledged in ${session.id} seq ${message.seq} ${message.role} (or content differs)`,
        );
      }
    }

    const storedCount = messagesBySession.get(session.id)?.length ?? 0;
    if (!session.appendUnsure && storedCount !== session.messages.length) {
      result.integrity.unexpectedMessages += Math.max(0, storedCount - session.messages.length);
      if (storedCount > session.messages.length)
        example(`session ${session.id}: ${storedCount} messages stored, ${session.messages.length} acknowledged`);
    }
    // After an append with an unknown outcome the client no longer knows the count, and its later
    // saves set messageCount from what it believes; only then may the two differ.
    if (!session.appendUnsure && row.message_count !== storedCount) {
      result.integrity.messageCountMismatches += 1;
      example(`session ${session.id}: messageCount ${row.message_count}, ${storedCount} messages stored`);
    }
  }

  for (const [sessionId, rows] of messagesBySession) {
    const seqs = rows.map((row) => row.seq).sort((a, b) => a - b);
    if (!seqs.every((seq, i) => seq === i + 1)) {
      result.integrity.seqGaps += 1;
      example(`session ${sessionId}: seqs are not 1..${seqs.length}: ${seqs.slice(0, 20).join(',')}`);
    }
  }

  const known = new Set([...ledger.sessions.map((session) => session.id), ...ledger.unsureSessions.map((session) => session.id)]);
  for (const row of sessions) {
    if (!known.has(row.id)) {
      result.integrity.unexpectedSessions += 1;
      example(`session ${row.id}: in the database, never saved by this run`);
    }
  }

  const { lost } = result;
  result.lostWrites = lost.missingSessions + lost.changedSessions + lost.missingMessages + lost.changedMessages;
  return result;
}
