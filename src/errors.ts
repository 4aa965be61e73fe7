import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';

/**
 * The one error table of the API (docs/api.md, Errors): code → HTTP status and envelope type.
 * Everything the API raises on purpose is an AppError built from this table; anything else is
 * masked as INTERNAL_SERVER_ERROR at the HTTP edge (http/public-errors.ts).
 */
export const ERROR_TABLE = {
  BAD_REQUEST: { status: 400, type: 'invalid_request_error' },
  UNAUTHENTICATED: { status: 401, type: 'authentication_error' },
  FORBIDDEN: { status: 403, type: 'permission_error' },
  NOT_FOUND: { status: 404, type: 'not_found_error' },
  // The code Apollo's and urql's persisted-query links look for before they resend the document.
  PERSISTED_QUERY_NOT_FOUND: { status: 404, type: 'not_found_error' },
  ALREADY_EXISTS: { status: 409, type: 'already_exists_error' },
  CONFLICT: { status: 409, type: 'conflict_error' },
  BAD_USER_INPUT: { status: 422, type: 'validation_error' },
  UPGRADE_REQUIRED: { status: 426, type: 'upgrade_required_error' },
  RATE_LIMITED: { status: 429, type: 'rate_limit_error' },
  INTERNAL_SERVER_ERROR: { status: 500, type: 'app_error' },
  BAD_GATEWAY: { status: 502, type: 'database_error' },
  GATEWAY_TIMEOUT: { status: 504, type: 'timeout_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_TABLE, value);
}

/** One item of a validation error: where (`loc`), what (`msg`) and a machine-readable `type`. */
export interface ValidationItem {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface EnvelopeExtensions extends GraphQLErrorExtensions {
  code: ErrorCode;
  status: number;
  type: string;
  errors?: ValidationItem[];
}

export interface AppErrorOptions {
  errors?: ValidationItem[];
  /**
   * Set when the error fails the whole request (raised before execution): the HTTP response then
   * carries this status (and headers, such as Retry-After). Field errors keep HTTP 200.
   */
  http?: { status: number; headers?: Record<string, string> };
}

export function envelope(code: ErrorCode, errors?: ValidationItem[]): EnvelopeExtensions {
  const { status, type } = ERROR_TABLE[code];
  return errors && errors.length > 0 ? { code, status, type, errors } : { code, status, type };
}

/** An error the API raises on purpose; its message is the envelope's `detail`. */
export class AppError extends GraphQLError {
  declare readonly extensions: EnvelopeExtensions;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    const extensions: GraphQLErrorExtensions = { ...envelope(code, options.errors) };
    if (options.http) extensions.http = options.http;
    super(message, { extensions });
    this.name = 'AppError';
  }

  get code(): ErrorCode {
    return this.extensions.code;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const badUserInput = (message: string, errors: ValidationItem[]) => new AppError('BAD_USER_INPUT', message, { errors });
export const unauthenticated = (message: string, failsRequest: boolean) =>
  new AppError('UNAUTHENTICATED', message, failsRequest ? { http: { status: 401 } } : {});
