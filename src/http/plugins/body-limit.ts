import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors.js';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = (limit: number) =>
  new AppError('BAD_REQUEST', `Request body too large (at most ${limit} bytes)`, { http: { status: 413 } });

/**
 * MAX_BODY_BYTES, in place of yoga's own limit. Yoga pipes every body through a web stream that
 * counts its bytes, which cost 2.7 % of a list request's CPU (docs/performance.md). A body with a
 * valid Content-Length needs no counting: the length is checked, and node's HTTP parser reads no
 * more than that many bytes as this request's body. A body without one (chunked, or built in
 * process without the header) is still counted as it is read, and refused once past the limit.
 */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        // One non-negative integer, nothing else (two comma-joined values are a smuggling attempt).
        if (!CONTENT_LENGTH.test(length)) throw new AppError('BAD_REQUEST', 'Content-Length header is invalid', { http: { status: 400 } });
        if (Number(length) > limit) throw tooLarge(limit);
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((incoming) => {
        let read = 0;
        const body = incoming.body!;
        // A native stream takes a native transform; yoga's own (ponyfilled) request body takes the ponyfill's.
        const Transform = body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
        const counted = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > limit) controller.error(tooLarge(limit));
              else controller.enqueue(chunk);
            },
          }),
        );
        const init: RequestInit & { duplex: 'half' } = {
          method: incoming.method,
          headers: incoming.headers,
          signal: incoming.signal,
          body: counted,
          duplex: 'half',
        };
        return parse(new fetchAPI.Request(incoming.url, init));
      });
    },
  };
}
