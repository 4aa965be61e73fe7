import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../context.js';
import { errorFields, type Logger } from '../../logger.js';
import { toPublicError, withRequestEnvelope } from '../public-errors.js';
import { errorsOf } from './operation.js';

/**
 * Maps every execution error to the envelope (public-errors.ts) while the request context is at hand, so
 * unexpected ones are logged with the request id before they are masked. A subscription's events
 * are mapped one by one, as they go out.
 */
const failingRequest = (error: GraphQLError) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, http: { status: typeof error.extensions.status === 'number' ? error.extensions.status : 500 } },
  });

export function useErrorEnvelope(logger: Logger): Plugin<Context> {
  const enveloped = (result: ExecutionResult, requestId: string): ExecutionResult | undefined => {
    if (!result.errors?.length) return undefined;
    const errors = errorsOf(result).map((original) => {
      const { error, log } = toPublicError(original);
      if (log) {
        const message = log === 'error' ? 'unexpected error' : 'database fault';
        logger[log](message, { requestId, path: original.path, ...errorFields(original.originalError ?? original) });
      }
      return error;
    });
    return { ...result, errors };
  };
  return {
    // Validation errors never reach yoga's error masking: envelope them here.
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) for (const error of errorsOf({ errors: result })) withRequestEnvelope(error);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (!('errors' in result)) return;
          const mapped = enveloped(result, args.contextValue.requestId);
          if (mapped) setResult(mapped);
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ args, result, setResult }) {
          const { requestId } = args.contextValue;
          if (!(Symbol.asyncIterator in result)) {
            // Refused before any feed opened: there is no data, so the whole request failed and
            // the HTTP status is the envelope's (as for a bad token).
            const mapped = enveloped(result, requestId);
            if (mapped) setResult({ ...mapped, errors: errorsOf(mapped).map(failingRequest) });
            return;
          }
          return {
            onNext({ result: event, setResult: setEvent }) {
              const mapped = enveloped(event, requestId);
              if (mapped) setEvent(mapped);
            },
          };
        },
      };
    },
  };
}
