import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { budget } from '../support/budget.js';
import { hostileString, uuidLike } from './hostile-values.js';
import { fuzzParameters } from './settings.js';
import { CALLERS, createFuzzWorld, type FuzzWorld } from './world.js';

const STATUSES = [200, 400, 401, 403, 404, 422];

/**
 * The trajectory download, fuzzed: any org, workspace and id (hostile strings, UUID-like ids, the
 * world's own), any format and include_compacted, any caller and method. The answer is a
 * trajectory (200) or the REST error envelope with a status of the error table, never a 500.
 */
describe('fuzz: the trajectory download (issue 15)', () => {
  let world: FuzzWorld;

  beforeAll(async () => {
    world = await createFuzzWorld();
  }, budget(30));

  it(
    'answers a document or the error envelope, whatever the path, query and caller',
    async () => {
      const segment = (known: string[]) => fc.oneof(fc.constantFrom(...known), hostileString, uuidLike);
      await fc.assert(
        fc.asyncProperty(
          segment([world.tenant.org, world.other.org]),
          segment([world.tenant.workspace, world.other.workspace]),
          segment([...world.seededSessionIds, world.sharedPrefix]),
          fc.oneof(fc.constantFrom('atif', 'openai', 'native', 'ATIF'), hostileString),
          fc.oneof(fc.constantFrom('true', 'false'), hostileString),
          fc.constantFrom(...CALLERS),
          fc.constantFrom('GET', 'POST', 'DELETE'),
          fc.boolean(),
          async (org, workspace, id, format, compacted, caller, method, raw) => {
            const query = new URLSearchParams({ format, include_compacted: compacted });
            // Encoded, or sent as they are (with their % and broken escapes) where a URL allows it.
            const encode = (part: string) => encodeURIComponent(part.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
            const path = [org, workspace, id].map((part) => (raw ? encode(part).replaceAll('%25', '%') : encode(part)));
            const authorization = world.authorization[caller];
            const response = await world.server.yoga.fetch(
              `http://localhost/api/v1/org/${path[0]}/ws/${path[1]}/sessions/${path[2]}/trajectory?${query.toString()}`,
              { method, headers: authorization ? { authorization } : {} },
            );
            const text = await response.text();
            expect(STATUSES, `${response.status}: ${text.slice(0, 300)}`).toContain(response.status);
            const body = JSON.parse(text) as Record<string, unknown>;
            if (response.status !== 200) {
              expect(body).toMatchObject({
                code: response.status,
                detail: expect.any(String) as string,
                type: expect.any(String) as string,
              });
            }
          },
        ),
        fuzzParameters('trajectory download'),
      );
    },
    budget(200),
  );
});
