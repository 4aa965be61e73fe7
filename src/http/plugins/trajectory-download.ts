import type { Plugin } from 'graphql-yoga';
import { workspaceAccess } from '../../auth/access.js';
import { authenticate, type Principal } from '../../auth/principal.js';
import type { VerifiedTokens } from '../../auth/verified-tokens.js';
import { AppError, badUserInput, unauthenticated, type EnvelopeExtensions } from '../../errors.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { errorFields, type Logger } from '../../logger.js';
import { exportedMessageCount, trajectoryText } from '../../sessions/trajectory.js';
import type { TrajectoryFormat } from '../../sessions/trajectory-formats.js';
import { findVisibleSession } from '../../sessions/visible-session.js';
import { toPublicError } from '../public-errors.js';
import { requestIdOf } from './request-id.js';

/** The reference's get_trajectory path (§1.13); `id` may be a prefix, as everywhere. */
const ROUTE = /^\/api\/v1\/org\/([^/]+)\/ws\/([^/]+)\/sessions\/([^/]+)\/trajectory\/?$/;
/** Everything under it answers in the REST envelope, an unknown path too (found by the fuzz suite: `/ws//…`). */
const REST_PREFIX = '/api/v1/';
const FORMATS: Record<string, TrajectoryFormat> = { atif: 'ATIF', openai: 'OPENAI', native: 'NATIVE' };

function parseQuery(url: URL): { format: TrajectoryFormat; includeCompacted: boolean } {
  const format = FORMATS[(url.searchParams.get('format') ?? 'atif').toLowerCase()];
  const compacted = (url.searchParams.get('include_compacted') ?? 'false').toLowerCase();
  const items = [
    ...(format ? [] : [{ loc: ['query', 'format'], msg: 'One of atif, openai, native', type: 'enum' }]),
    ...(compacted === 'true' || compacted === 'false' ? [] : [{ loc: ['query', 'include_compacted'], msg: 'true or false', type: 'bool' }]),
  ];
  if (items.length > 0 || !format) throw badUserInput('Invalid trajectory request', items);
  return { format, includeCompacted: compacted === 'true' };
}

/**
 * A path segment's text. A malformed escape (`%E0%A4`) is BAD_REQUEST, and so is a NUL, which
 * PostgreSQL cannot take (as in GraphQL strings, docs/api.md Conventions; found by the fuzz suite).
 */
function decodeSegment(segment: string): string {
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    throw new AppError('BAD_REQUEST', 'The path holds a malformed percent-escape');
  }
  if (text.includes('\u0000')) throw new AppError('BAD_REQUEST', 'The path holds a NUL character');
  return text;
}

/** The REST error envelope (the reference's APIErrorPayload): code, detail, type, errors. */
function errorResponse(fetchAPI: { Response: typeof Response }, error: unknown, requestId: string, logger: Logger): Response {
  const { error: visible, log } = toPublicError(error);
  if (log) logger[log]('trajectory download failed', { requestId, ...errorFields(error) });
  const extensions = visible.extensions as EnvelopeExtensions;
  const body = {
    code: extensions.status,
    detail: visible.message,
    type: extensions.type,
    ...(extensions.errors ? { errors: extensions.errors } : {}),
  };
  return new fetchAPI.Response(JSON.stringify(body), {
    status: extensions.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
  });
}

/**
 * GET /api/v1/org/{org}/ws/{workspace}/sessions/{id}/trajectory?format=atif|openai|native&include_compacted=true|false:
 * the session's trajectory document, streamed. The same bearer authentication, workspace access
 * and visibility as the GraphQL fields; failures before the first byte answer the REST error
 * envelope with its status. The body is pulled: a page of messages is read from the database only
 * when the client has taken the previous one, so memory stays flat for any length. A failure in
 * the middle can only cut the stream (the status is sent): the document is then invalid JSON.
 */
export function useTrajectoryDownload(prisma: PrismaClient, logger: Logger, verifiedTokens?: VerifiedTokens): Plugin {
  return {
    async onRequest({ request, url, fetchAPI, endResponse }) {
      if (!url.pathname.startsWith(REST_PREFIX)) return;
      const match = ROUTE.exec(url.pathname);
      const requestId = requestIdOf(request);
      try {
        if (!match) throw new AppError('NOT_FOUND', 'No such path');
        if (request.method !== 'GET') throw new AppError('BAD_REQUEST', 'Only GET is served here');
        const [org = '', workspace = '', id = ''] = match.slice(1).map(decodeSegment);
        const query = parseQuery(url);
        const principal: Principal | null = await authenticate(prisma, request.headers.get('authorization'), verifiedTokens);
        if (!principal) throw unauthenticated('Authentication required: send "Authorization: Bearer <token>"', true);
        const access = await workspaceAccess(prisma, principal, org, workspace);
        const session = await findVisibleSession(prisma, access, id);
        await exportedMessageCount(prisma, session, query);
        const pieces = trajectoryText(prisma, session, query);
        const encoder = new TextEncoder();
        const body = new fetchAPI.ReadableStream<Uint8Array>({
          async pull(controller) {
            try {
              const next = await pieces.next();
              if (next.done) controller.close();
              else controller.enqueue(encoder.encode(next.value));
            } catch (error) {
              logger.error('trajectory download cut', { requestId, ...errorFields(error) });
              controller.error(error);
            }
          },
          async cancel() {
            await pieces.return(undefined);
          },
        });
        endResponse(
          new fetchAPI.Response(body, {
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'content-disposition': `attachment; filename="${session.id}.${query.format.toLowerCase()}.json"`,
              'x-request-id': requestId,
            },
          }),
        );
      } catch (error) {
        endResponse(errorResponse(fetchAPI, error, requestId, logger));
      }
    },
  };
}
