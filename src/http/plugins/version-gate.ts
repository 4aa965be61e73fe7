import type { Plugin } from 'graphql-yoga';
import semver from 'semver';
import { AppError } from '../../errors.js';

export const CLIENT_VERSION_HEADER = 'x-client-version';

/**
 * MIN_CLIENT_VERSION: a request whose `X-Client-Version` is an older semantic version fails as a
 * whole with UPGRADE_REQUIRED and HTTP 426. Requests without the header pass (browsers, curl,
 * gateways); a header that is not a semantic version is BAD_REQUEST.
 */
export function useVersionGate(minimum: string | undefined): Plugin {
  return {
    onRequestParse({ request }) {
      if (!minimum) return;
      const sent = request.headers.get(CLIENT_VERSION_HEADER)?.trim();
      if (!sent) return;
      const version = semver.valid(sent.replace(/^v/i, ''));
      if (!version) {
        throw new AppError('BAD_REQUEST', `${CLIENT_VERSION_HEADER} must be a semantic version such as 1.4.0`, { http: { status: 400 } });
      }
      if (semver.lt(version, minimum)) {
        throw new AppError('UPGRADE_REQUIRED', `Client version ${version} is no longer supported; upgrade to ${minimum} or later`, {
          http: { status: 426 },
        });
      }
    },
  };
}
