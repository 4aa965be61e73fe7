import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { typedVariables } from '../fuzz/arbitraries.js';
import { fuzzOperation, rootFields, type RootField } from '../fuzz/cases.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/** Root fields that name a workspace: they take the `org` and `workspace` slugs. */
const workspaceFields = (): RootField[] =>
  rootFields(schema).filter((root) => ['org', 'workspace'].every((name) => root.field.args.some((arg) => arg.name === name)));

/**
 * Every workspace-scoped field settles the caller's access before anything else (schema/workspace.ts,
 * inWorkspace): whatever the other arguments, a caller who is not a member of the named workspace
 * gets FORBIDDEN, and one without a token UNAUTHENTICATED. A field added without the check fails
 * here, whichever field it is.
 */
describe('workspace-scoped fields', () => {
  let server: TestServer;
  let tenant: Tenant;
  let outsider: string;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'ADMIN' }]);
    // A member of another workspace of the same org: authenticated, but not here.
    const elsewhere = await createTenant(server.db.database.prisma, [{ role: 'ADMIN', tokenKind: 'SERVICE' }], {
      org: tenant.org,
      workspace: `${tenant.workspace}-other`,
    });
    outsider = elsewhere.members[0]!.token;
  });

  it('are the fields we expect (the check below covers each of them)', () => {
    expect(
      workspaceFields()
        .map((root) => root.name)
        .sort(),
    ).toEqual(
      [
        'appendTranscript',
        'compactTranscript',
        'forkSession',
        'archiveSession',
        'deleteSession',
        'freezeSession',
        'saveSession',
        'searchMessages',
        'session',
        'sessionFacets',
        'sessions',
        'unarchiveSession',
        'updateSession',
      ].sort(),
    );
  });

  for (const root of workspaceFields()) {
    it(`${root.name}: an outsider is FORBIDDEN and an anonymous caller UNAUTHENTICATED, whatever the other arguments`, async () => {
      const operation = fuzzOperation(schema, root, { selection: '{ __typename }' });
      const hints = { org: fc.constant(tenant.org), workspace: fc.constant(tenant.workspace) };
      const samples = fc.sample(typedVariables(operation.variables, hints, 'wellTyped'), { numRuns: 12, seed: 20261201 });
      let reachedResolver = 0;
      for (const variables of samples) {
        const body = JSON.stringify({ query: operation.document, variables });
        const asOutsider = await server.post(body, { authorization: `Bearer ${outsider}` });
        // Lists past their bounds are refused before any resolver runs (HTTP 400): not this check's case.
        if (asOutsider.status !== 200) continue;
        reachedResolver += 1;
        const errors = asOutsider.body.errors ?? [];
        expect(
          errors.map((error) => error.extensions.code),
          body.slice(0, 300),
        ).toEqual(['FORBIDDEN']);
        const anonymous = await server.post(body);
        expect(
          anonymous.body.errors?.map((error) => error.extensions.code),
          body.slice(0, 300),
        ).toEqual(['UNAUTHENTICATED']);
      }
      expect(reachedResolver).toBeGreaterThanOrEqual(3);
    });
  }
});
