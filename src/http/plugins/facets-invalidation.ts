import { getOperationAST, OperationTypeNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { FacetsCache } from '../../sessions/facets-cache.js';
import { operationOf } from './operation.js';

/** Every mutation empties the facets cache when it starts and when it ends (see FacetsCache for why both). */
export function useFacetsInvalidation(cache: FacetsCache): Plugin {
  return {
    onExecute({ args }) {
      const { document, operationName } = operationOf(args);
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.MUTATION) return;
      cache.invalidate();
      return { onExecuteDone: () => cache.invalidate() };
    },
  };
}
