import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSessionDetails } from '../../src/sessions/details.js';
import type { Label } from '../../src/sessions/labels.js';
import { fuzzParameters } from '../fuzz/settings.js';
import { budget } from '../support/budget.js';
import { sharedTestDatabase, type TestDatabase } from '../support/database.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { normalizeLabels } from '../security/access-model.js';

/** What a session's labels are, read from the source of truth and grouped and sorted by the isolation model. */
async function fromSessionLabels(db: TestDatabase, sessionId: string): Promise<Label[]> {
  const rows = await db.database.prisma.sessionLabel.findMany({ where: { sessionId }, select: { key: true, value: true } });
  return normalizeLabels(rows.map(({ key, value }) => ({ key, values: [value] })));
}

const KEYS = ['team', 'env', 'z.k'];
const VALUES = ['a', 'B', 'é', '\uff5e', '😀', 'x y', '"quoted"', '\\'];

type Write =
  | { kind: 'insert'; session: number; key: string; value: string }
  | { kind: 'delete'; session: number; key: string }
  | { kind: 'rename'; session: number; value: string }
  | { kind: 'move'; from: number; to: number };

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), session: fc.nat(2), key: fc.constantFrom(...KEYS), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('delete' as const), session: fc.nat(2), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant('rename' as const), session: fc.nat(2), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('move' as const), from: fc.nat(2), to: fc.nat(2) }),
);

// sessions.label_pairs is what a list reads (src/sessions/details.ts); session_labels is the
// source of truth. The trigger keeps one in step with the other whoever writes the labels: the
// API, a fork, or SQL run by hand, as here.
describe('sessions.label_pairs follows session_labels, whatever writes them', () => {
  let db: TestDatabase;
  let tenant: Tenant;

  beforeAll(async () => {
    db = await sharedTestDatabase();
    tenant = await createTenant(db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
  });

  const runs = fuzzParameters('label_pairs follows session_labels');
  it(
    'after any sequence of inserts, deletes, changed values and labels moved between sessions',
    async () => {
      const prisma = db.database.prisma;
      await fc.assert(
        fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
          const ids = [randomUUID(), randomUUID(), randomUUID()];
          await prisma.session.createMany({
            data: ids.map((id) => ({ id, workspaceId: tenant.workspaceId, userId: tenant.members[0]!.userId })),
          });
          for (const w of writes) {
            if (w.kind === 'insert') {
              await prisma.$executeRaw`INSERT INTO session_labels (session_id, key, value) VALUES (${ids[w.session]}::uuid, ${w.key}, ${w.value}) ON CONFLICT DO NOTHING`;
            } else if (w.kind === 'delete') {
              await prisma.$executeRaw`DELETE FROM session_labels WHERE session_id = ${ids[w.session]}::uuid AND key = ${w.key}`;
            } else if (w.kind === 'rename') {
              await prisma.$executeRaw`UPDATE session_labels SET value = ${w.value} WHERE session_id = ${ids[w.session]}::uuid
                AND (key, value) IN (SELECT key, value FROM session_labels WHERE session_id = ${ids[w.session]}::uuid LIMIT 1)
                AND NOT EXISTS (SELECT 1 FROM session_labels o WHERE o.session_id = ${ids[w.session]}::uuid AND o.value = ${w.value})`;
            } else {
              await prisma.$executeRaw`UPDATE session_labels SET session_id = ${ids[w.to]}::uuid WHERE session_id = ${ids[w.from]}::uuid
                AND NOT EXISTS (SELECT 1 FROM session_labels o WHERE o.session_id = ${ids[w.to]}::uuid)`;
            }
          }
          const details = await loadSessionDetails(prisma, ids);
          for (const id of ids) expect(details.get(id)!.labels).toEqual(await fromSessionLabels(db, id));
        }),
        runs,
      );
    },
    budget(runs.numRuns * 3),
  );
});
