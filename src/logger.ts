import type { LogLevel } from './config.js';

/** Structured log fields. Never put tokens or message content here. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One JSON object per line on stderr, so stdout stays free for CLI output. */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (at: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const MAX_LOGGED_MESSAGE = 1_000;

// Database messages quote the values a statement was given ('word is too long in tsquery:
// "<the user's search>"', 'invalid input syntax for type uuid: "…"'), and user text stays out of
// logs: quoted spans are replaced. Prisma's and the driver adapter's errors are such messages.
const QUOTED = /"[^"\n]*"|'[^'\n]*'/g;
const fromDatabase = (error: Error) => error.name.startsWith('PrismaClient') || error.name === 'DriverAdapterError';

/** Turns an unknown thrown value into loggable fields (server side only): bounded, and no user text from the database. */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error).slice(0, MAX_LOGGED_MESSAGE) };
  const redact = fromDatabase(error) ? (text: string) => text.replace(QUOTED, '"…"') : (text: string) => text;
  // The stack starts with the message again: its frames are enough.
  const frames = error.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
  return { error: { name: error.name, message: redact(error.message).slice(0, MAX_LOGGED_MESSAGE), stack: frames } };
}
