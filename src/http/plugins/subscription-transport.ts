import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors.js';

/** What yoga's SSE result processor accepts: the stream's media type or a wildcard. */
const STREAMING = /(^|,)\s*(text\/event-stream|text\/\*|\*\/\*)\s*(;|,|$)/i;

/**
 * A subscription sent to /graphql by a client that does not accept a stream (a plain JSON POST)
 * gets the envelope (BAD_REQUEST, HTTP 406) and the way to subscribe, instead of yoga's empty 406.
 * Its arguments and access are checked first, as for any request (a refusal is answered as
 * such); a feed that did open is closed at once. WebSockets and the graphql-sse endpoint reach
 * execution with requests of their own and are left alone.
 */
const notAStream = () =>
  new AppError(
    'BAD_REQUEST',
    'A subscription is a stream: send Accept: text/event-stream (GraphQL over SSE), or subscribe over graphql-ws (WebSocket on this path) or graphql-sse (/graphql/stream)',
    { http: { status: 406 } },
  );

export function useSubscriptionNeedsStream(graphqlEndpoint: string): Plugin<{ request?: Request }> {
  return {
    onSubscribe({ args }) {
      const request = args.contextValue.request;
      if (!request || new URL(request.url).pathname !== graphqlEndpoint) return;
      const accept = request.headers.get('accept');
      if (accept === null || STREAMING.test(accept)) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          void result.return?.();
          setResult({ errors: [notAStream()] });
        },
      };
    },
  };
}
