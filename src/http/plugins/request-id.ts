import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const ids = new WeakMap<Request, string>();
// A caller-supplied id is kept when it is short and plain, so it can be traced across services.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's `X-Request-Id` when acceptable, otherwise a new UUID. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const supplied = request.headers.get('x-request-id');
    id = supplied && ACCEPTABLE_ID.test(supplied) ? supplied : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/** Returns the request id in the `X-Request-Id` response header. */
export function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
