import type { TestServer } from '../support/server.js';

/** What came back, untouched: the oracle decides whether the body is JSON at all. */
export interface RawResponse {
  status: number;
  contentType: string | null;
  requestId: string | null;
  text: string;
}

export interface RawRequest {
  method: 'GET' | 'POST';
  /** Query string for GET (without `?`), body for POST. */
  payload: string;
  /** Sent instead of `payload` when set: bytes that are not UTF-8 text. */
  bytes?: Uint8Array;
  headers: Record<string, string | undefined>;
}

/**
 * Sends a request through yoga.fetch exactly as given (unlike TestServer.post, which parses the
 * answer as JSON and would throw before the oracle could describe a non-JSON answer).
 */
export async function send(server: TestServer, request: RawRequest): Promise<RawResponse> {
  const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response =
    request.method === 'GET'
      ? await server.yoga.fetch(`http://localhost/graphql?${request.payload}`, { method: 'GET', headers })
      : await server.yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body: request.bytes ?? request.payload });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
    text: await response.text(),
  };
}
