import type { Plugin } from 'graphql-yoga';

/**
 * CORS for the GraphQL endpoint (CORS_ORIGINS). Yoga's own CORS echoes any Origin with
 * `Access-Control-Allow-Credentials: true`, and with several allowed origins it answers the others
 * `Access-Control-Allow-Origin: null`, which a sandboxed page is. Instead:
 * - no list: `Access-Control-Allow-Origin: *` without credentials. The API reads a bearer token,
 *   which a browser never attaches by itself, and sets no cookie: any page may call it with the
 *   token its user gives it, and none can ride on the browser's credentials.
 * - a list: only those origins are named back, with credentials allowed; any other gets no
 *   allow-origin header, so the browser keeps the answer from the page (and refuses the preflight).
 * Other paths (probes, metrics, GraphiQL's assets) carry no CORS headers: no page elsewhere needs them.
 */
export function useCors(endpoint: string, allowedOrigins: readonly string[] | undefined): Plugin {
  const allowed = allowedOrigins ? new Set(allowedOrigins) : undefined;
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      // A preflight: its answer is all headers, added in onResponse like any other answer's.
      if (request.method === 'OPTIONS' && url.pathname === endpoint) {
        endResponse(new fetchAPI.Response(null, { status: 204, headers: { 'content-length': '0' } }));
      }
    },
    onResponse({ request, response }) {
      if (new URL(request.url).pathname !== endpoint) return;
      const headers = response.headers;
      // With a list the answer depends on Origin: caches must keep one per origin.
      if (allowed) headers.append('vary', 'Origin');
      const origin = request.headers.get('origin');
      if (origin === null) return;
      if (!allowed) {
        headers.set('access-control-allow-origin', '*');
      } else if (allowed.has(origin)) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-credentials', 'true');
      } else {
        return;
      }
      if (request.method === 'OPTIONS') {
        headers.set('access-control-allow-methods', 'GET, POST');
        // Authorization, Content-Type, X-Request-Id, X-Client-Version, or whatever the client sends:
        // the origin is the gate, not the header names.
        const requested = request.headers.get('access-control-request-headers');
        if (requested) {
          headers.set('access-control-allow-headers', requested);
          headers.append('vary', 'Access-Control-Request-Headers');
        }
        headers.set('access-control-max-age', '600');
      } else {
        // Headers a page may read besides the CORS-safelisted ones (README, Errors).
        headers.set('access-control-expose-headers', 'X-Request-Id, Retry-After');
      }
    },
  };
}
