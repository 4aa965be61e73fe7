import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import type { MembershipRole, TokenKind } from '../generated/prisma/enums.js';
import { createLogger } from '../logger.js';
import { bootstrap, ProvisionError, revokeToken } from './provision.js';

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  bootstrap --org SLUG --workspace SLUG --email EMAIL [--role ADMIN|CONTRIBUTOR|READER]
            [--token-kind USER|WORKER|SERVICE] [--token-name NAME] [--expires-in-days N]
      Creates what is missing (org, workspace, user, membership), mints a token and prints
      {"orgId","workspaceId","userId","token"}.
  revoke-token --token TOKEN
      Revokes the token at once and prints {"revoked": true|false}.

The database is the server's: DATABASE_URL, or the embedded one in DATA_DIR (default ./.data).`;

const ROLES: readonly MembershipRole[] = ['READER', 'CONTRIBUTOR', 'ADMIN'];
const KINDS: readonly TokenKind[] = ['USER', 'WORKER', 'SERVICE'];

class UsageError extends Error {}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  const upper = value.toUpperCase() as T;
  if (!allowed.includes(upper)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  return upper;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

async function run(argv: string[]): Promise<Record<string, unknown>> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      org: { type: 'string' },
      workspace: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      'token-kind': { type: 'string' },
      'token-name': { type: 'string' },
      'expires-in-days': { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  if (command !== 'bootstrap' && command !== 'revoke-token') throw new UsageError(`Unknown command "${command ?? ''}"`);

  // Validate every flag before touching the database.
  let input: Parameters<typeof bootstrap>[1] | undefined;
  if (command === 'bootstrap') {
    const days = values['expires-in-days'];
    if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) throw new UsageError('--expires-in-days must be a positive integer');
    input = {
      org: required(values.org, '--org'),
      workspace: required(values.workspace, '--workspace'),
      email: required(values.email, '--email'),
      role: oneOf(values.role, ROLES, '--role', 'ADMIN'),
      tokenKind: oneOf(values['token-kind'], KINDS, '--token-kind', 'USER'),
      ...(values['token-name'] ? { tokenName: values['token-name'] } : {}),
      expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : null,
    };
  }
  const token = command === 'revoke-token' ? required(values.token, '--token') : undefined;

  const config = loadConfig();
  // Loaded only now: usage errors answer without starting Prisma or PGlite.
  const { prepareDatabase } = await import('../db/prepare.js');
  const database = await prepareDatabase(config, createLogger(config.logLevel));
  try {
    if (input) return { ...(await bootstrap(database.prisma, input)) };
    return { revoked: await revokeToken(database.prisma, token ?? '') };
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
    const known = usage || error instanceof ProvisionError || error instanceof ConfigError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${known ? message : `admin failed: ${message}`}\n${usage ? `\n${USAGE}\n` : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
