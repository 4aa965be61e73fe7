import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareText, normalizeLabels, type Label } from '../../src/sessions/labels.js';
import {
  GetSessionDocument,
  ListSessionsWithLazyFieldsDocument,
  SaveSessionDocument,
  UpdateSessionDocument,
} from '../generated/graphql.js';
import { budget } from '../support/budget.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { fuzzParameters } from '../fuzz/settings.js';
import { byCodePoints } from '../support/code-points.js';

// Characters whose UTF-16 order differs from their code-point order (U+E000 to U+FFFF against
// characters past U+FFFF, which UTF-16 writes as surrogate pairs), with ASCII and Latin-1 beside them.
const CHARACTERS = ['a', 'Z', '~', 'é', '\u00ff', '\ue000', '\uff5e', '\ufffd', '😀', '𝔸', '\u{10ffff}'];
const text = (maxLength: number) =>
  fc.array(fc.constantFrom(...CHARACTERS), { minLength: 1, maxLength }).map((characters) => characters.join(''));
const labelsArb = fc.array(
  fc.record({ key: fc.constantFrom('team', 'env', 'z.key'), values: fc.array(text(3), { minLength: 1, maxLength: 5 }) }),
  {
    minLength: 1,
    maxLength: 4,
  },
);

/** The order the API documents: keys, then each key's values, in code-point order, duplicates merged. */
function expected(labels: Label[]): Label[] {
  const byKey = new Map<string, Set<string>>();
  for (const label of labels) for (const value of label.values) byKey.set(label.key, (byKey.get(label.key) ?? new Set()).add(value));
  return [...byKey].sort(([a], [b]) => byCodePoints(a, b)).map(([key, values]) => ({ key, values: [...values].sort(byCodePoints) }));
}

describe('label order: keys and values in code-point order wherever labels are read', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
  });

  it('compareText is code-point order, for any strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareText(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
      fuzzParameters('compareText is code-point order', 25),
    );
    expect(normalizeLabels([{ key: 'k', values: ['\uff5e', '😀', 'a'] }])).toEqual([{ key: 'k', values: ['a', '\uff5e', '😀'] }]);
  });

  const runs = fuzzParameters('saved labels read back in code-point order');
  it(
    'saveSession, updateSession, session and sessions give the same, code-point order (PostgreSQL sorts them)',
    async () => {
      const member = tenant.members[0]!;
      const ws = { org: tenant.org, workspace: tenant.workspace };
      await fc.assert(
        fc.asyncProperty(labelsArb, labelsArb, async (saved, updated) => {
          const id = randomUUID();
          const save = await server.execute(SaveSessionDocument, { ...ws, input: { id, model: 'm', labels: saved } }, member.token);
          expect(save.body.errors).toBeUndefined();
          expect(save.body.data!.saveSession!.labels).toEqual(expected(saved));
          const got = await server.execute(GetSessionDocument, { ...ws, id }, member.token);
          expect(got.body.data!.session!.labels).toEqual(expected(saved));

          const update = await server.execute(UpdateSessionDocument, { ...ws, id, input: { labels: updated } }, member.token);
          expect(update.body.errors).toBeUndefined();
          const list = await server.execute(ListSessionsWithLazyFieldsDocument, { ...ws, first: 1 }, member.token);
          const listed = list.body.data!.sessions!.nodes[0]!;
          expect(listed.id).toBe(id);
          expect(listed.labels).toEqual(expected(updated));
        }),
        runs,
      );
    },
    budget(runs.numRuns * 4),
  );
});
