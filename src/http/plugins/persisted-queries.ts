import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors.js';

/**
 * Persisted queries, in the two forms clients use:
 * - automatic persisted queries (APQ: Apollo's PersistedQueryLink, urql's persistedExchange): the
 *   client sends `extensions.persistedQuery.sha256Hash` without the document; an unknown hash is
 *   PERSISTED_QUERY_NOT_FOUND (message `PersistedQueryNotFound`, which both links look for), and
 *   the client resends it with the document, which is checked against its hash and remembered;
 * - trusted documents: a manifest (hash → document) of the operations an app was built with, as
 *   graphql-codegen's client preset writes it; the client sends `documentId` (or the same
 *   extension) and the server runs the document from the manifest. With `trustedOnly`, nothing
 *   else runs: no document in the request, no APQ registration.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string): Promise<void>;
}

/** APQ store in process memory: the most recently used `max` documents. */
export function memoryStore(max = 1000): PersistedQueryStore {
  const documents = new Map<string, string>();
  return {
    get: (hash) => {
      const query = documents.get(hash);
      if (query !== undefined) {
        documents.delete(hash);
        documents.set(hash, query);
      }
      return Promise.resolve(query);
    },
    set: (hash, query) => {
      documents.delete(hash);
      documents.set(hash, query);
      if (documents.size > max) documents.delete(documents.keys().next().value!);
      return Promise.resolve();
    },
  };
}

/** APQ store in Redis, shared by every instance; documents expire a day after their last registration. */
export function redisStore(redis: Redis, ttlSeconds = 86_400): PersistedQueryStore {
  const key = (hash: string) => `cs-apq:${hash}`;
  return {
    get: async (hash) => (await redis.get(key(hash))) ?? undefined,
    set: async (hash, query) => {
      await redis.set(key(hash), query, 'EX', ttlSeconds);
    },
  };
}

/**
 * A trusted-documents manifest: a JSON object of sha256 hash → document (graphql-codegen's client
 * preset writes it with `persistedDocuments: { hashAlgorithm: 'sha256' }`). Each hash is checked.
 */
export async function readTrustedDocuments(file: string): Promise<Map<string, string>> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${file}: expected a JSON object of hash → document`);
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    const bare = hash.replace(/^sha256:/, '').toLowerCase();
    if (typeof document !== 'string' || sha256(document) !== bare)
      throw new Error(`${file}: the document under ${hash} does not have that sha256`);
    documents.set(bare, document);
  }
  return documents;
}

export interface PersistedQueriesOptions {
  store: PersistedQueryStore;
  /** Trusted documents by hash (sha256 of the document text, as codegen writes them). */
  trusted?: ReadonlyMap<string, string>;
  /** Run trusted documents only. */
  trustedOnly?: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MAX_DOCUMENT_ID_LENGTH = 200;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const refused = (message: string, status = 400) => new AppError('BAD_REQUEST', message, { http: { status } });

interface PersistedQueryExtension {
  version?: unknown;
  sha256Hash?: unknown;
}

function persistedQueryOf(extensions: unknown): PersistedQueryExtension | undefined {
  if (typeof extensions !== 'object' || extensions === null || !('persistedQuery' in extensions)) return undefined;
  const value = extensions.persistedQuery;
  return typeof value === 'object' && value !== null ? value : {};
}

export function usePersistedQueries({ store, trusted, trustedOnly = false }: PersistedQueriesOptions): Plugin {
  return {
    async onParams({ params, setParams }) {
      const extension = persistedQueryOf(params.extensions);
      const documentId = (params as { documentId?: unknown }).documentId;
      if (documentId !== undefined) {
        if (typeof documentId !== 'string' || documentId.length > MAX_DOCUMENT_ID_LENGTH) throw refused('documentId must be a string');
        // codegen writes ids as "sha256:<hex>" or the bare hash.
        const query = trusted?.get(documentId.replace(/^sha256:/, ''));
        if (query === undefined) throw new AppError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { http: { status: 404 } });
        setParams({ ...params, query });
        return;
      }
      if (!extension) {
        if (trustedOnly) throw refused('Only persisted documents are accepted here: send a documentId', 403);
        return;
      }
      if (extension.version !== 1) throw refused('Unsupported persisted query version: send version 1');
      const hash = typeof extension.sha256Hash === 'string' ? extension.sha256Hash.toLowerCase() : '';
      if (!SHA256.test(hash)) throw refused('persistedQuery.sha256Hash must be 64 hex characters');
      const known = trusted?.get(hash) ?? (trustedOnly ? undefined : await store.get(hash));
      if (params.query === undefined || params.query === null) {
        if (known === undefined) throw new AppError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { http: { status: 404 } });
        setParams({ ...params, query: known });
        return;
      }
      if (typeof params.query !== 'string' || sha256(params.query) !== hash)
        throw refused('persistedQuery.sha256Hash does not match the query');
      if (trustedOnly && known === undefined) throw refused('Only persisted documents are accepted here', 403);
      if (known === undefined) await store.set(hash, params.query);
    },
  };
}
