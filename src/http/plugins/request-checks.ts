import type { Plugin } from 'graphql-yoga';
import { AppError, envelope } from '../../errors.js';

/** What yoga can answer in (its result processors), most specific last. */
const ANSWER_TYPES = ['text/event-stream', 'multipart/mixed', 'application/graphql-response+json', 'application/json'];

/**
 * Whether one of ANSWER_TYPES is acceptable, read as yoga's result processors read `Accept`
 * (no header means anything; only utf-8 charsets; `*` wildcards).
 */
function acceptsAnAnswer(request: Request): boolean {
  const ranges = (request.headers.get('accept') || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  return ranges.some((range) => {
    const [mediaType = '', ...params] = range.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') return false;
    const [type, subtype] = mediaType.split('/');
    return ANSWER_TYPES.some((answer) => {
      const [answerType, answerSubtype] = answer.split('/');
      return (type === '*' || type === answerType) && (subtype === '*' || subtype === answerSubtype);
    });
  });
}

/**
 * Three gaps in yoga's request handling, all found by test/fuzz, closed so that every answer is a
 * GraphQL response with the envelope, and nothing runs that cannot be answered:
 * - an `Accept` header that names no type yoga can answer in (`text/html` on a POST, a blank
 *   one, a latin1 charset) got HTTP 406 only after the operation had run, so a mutation wrote and
 *   its client never learnt it: now the 406 comes first and nothing runs;
 * - a POST whose content type no parser takes got HTTP 415 with an empty body: now the same
 *   status with a BAD_REQUEST error;
 * - `variables` or `extensions` that are not JSON in a GET query string (or a form-encoded POST)
 *   escaped yoga's parser as a SyntaxError, answered HTTP 500: now BAD_REQUEST with HTTP 400, as
 *   yoga already answers a JSON body that does not parse.
 */
export function useRequestChecks(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (!acceptsAnAnswer(request)) {
        // As yoga answers it, without a body: the client accepts none we could send.
        const accept = ANSWER_TYPES.map((type) => `${type}; charset=utf-8`).join(', ');
        endResponse(new fetchAPI.Response(null, { status: 406, statusText: 'Not Acceptable', headers: { accept } }));
        return;
      }
      // Yoga's own parsers run before this plugin: none took the request.
      if (!requestParser) {
        const accept = request.headers.get('accept') ?? '';
        const contentType =
          accept.includes('application/json') && !accept.includes('application/graphql-response+json')
            ? 'application/json; charset=utf-8'
            : 'application/graphql-response+json; charset=utf-8';
        const body = {
          errors: [{ message: 'Unsupported content type: send application/json (or use GET)', extensions: envelope('BAD_REQUEST') }],
        };
        endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 415, headers: { 'content-type': contentType } }));
        return;
      }
      const parse = requestParser;
      setRequestParser(async (incoming) => {
        let parsed: Awaited<ReturnType<typeof parse>>;
        try {
          parsed = await parse(incoming);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw new AppError('BAD_REQUEST', 'The "variables" and "extensions" parameters must be JSON', { http: { status: 400 } });
        }
        // Yoga answers an empty batch with an empty array (no operation, no error to say so), and
        // fails on an item that is no object as on a bug: both are the client's mistake.
        if (Array.isArray(parsed)) {
          if (parsed.length === 0) throw new AppError('BAD_REQUEST', 'A batch needs at least one operation', { http: { status: 400 } });
          if (parsed.some((item: unknown) => typeof item !== 'object' || item === null || Array.isArray(item))) {
            throw new AppError('BAD_REQUEST', 'Each operation of a batch must be an object with a query', { http: { status: 400 } });
          }
        }
        return parsed;
      });
    },
  };
}
