/** The result of one request, as the load test counts it. */
export type Outcome<TData> =
  | { ok: true; data: TData; httpStatus: number }
  | {
      ok: false;
      /** extensions.code of the first error, or NETWORK_ERROR, TIMEOUT, BAD_RESPONSE, HTTP_<status>. */
      code: string;
      httpStatus: number | null;
      /**
       * The server may have applied the write anyway: a network error, a timeout or a 5xx can
       * come after the commit. Any other error is an answer: the write's transaction rolled back.
       */
      uncertain: boolean;
    };

interface GraphQLBody<TData> {
  data?: TData | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

const SERVER_FAULT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'BAD_GATEWAY', 'GATEWAY_TIMEOUT']);

/** Server faults: the request failed through no fault of the client. */
export function isServerFault(code: string): boolean {
  return (
    SERVER_FAULT_CODES.has(code) || /^HTTP_5\d\d$/.test(code) || code === 'NETWORK_ERROR' || code === 'TIMEOUT' || code === 'BAD_RESPONSE'
  );
}

export interface GraphQLClient {
  request<TData>(query: string, variables: Record<string, unknown>): Promise<Outcome<TData>>;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A plain fetch (undici) client for one token, with a per-request time limit. Tests may pass
 * yoga's own fetch to run the mix in-process.
 */
export function graphqlClient(url: string, token: string, timeoutMs: number, send: Fetch = fetch): GraphQLClient {
  return {
    async request<TData>(query: string, variables: Record<string, unknown>): Promise<Outcome<TData>> {
      let response: Response;
      let text: string;
      try {
        response = await send(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
        return { ok: false, code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', httpStatus: null, uncertain: true };
      }
      let body: GraphQLBody<TData>;
      try {
        body = JSON.parse(text) as GraphQLBody<TData>;
      } catch {
        const code = response.status >= 500 ? `HTTP_${response.status}` : 'BAD_RESPONSE';
        return { ok: false, code, httpStatus: response.status, uncertain: true };
      }
      const firstError = body.errors?.[0];
      if (firstError || !body.data) {
        const code = firstError?.extensions?.code ?? `HTTP_${response.status}`;
        const uncertain = response.status >= 500 || SERVER_FAULT_CODES.has(code);
        return { ok: false, code, httpStatus: response.status, uncertain };
      }
      return { ok: true, data: body.data, httpStatus: response.status };
    },
  };
}
