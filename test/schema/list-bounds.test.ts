import { isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

/** Whether a position of this type holds a list (possibly non-null). */
const isList = (type: GraphQLInputType) => isListType(isNonNullType(type) ? type.ofType : type);

describe('list inputs', () => {
  it('every list argument and list input field of the schema carries a maxItems bound', () => {
    const unbounded: string[] = [];
    const bounded: string[] = [];
    const note = (coordinate: string, type: GraphQLInputType, extensions: Readonly<Record<string, unknown>>) => {
      if (!isList(type)) return;
      (typeof extensions.maxItems === 'number' && extensions.maxItems > 0 ? bounded : unbounded).push(coordinate);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) note(`${type.name}.${field.name}`, field.type, field.extensions);
      } else if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of 'args' in field ? field.args : []) note(`${type.name}.${field.name}(${arg.name})`, arg.type, arg.extensions);
        }
      }
    }
    expect(unbounded).toEqual([]);
    // The walk found the lists (so an empty `unbounded` means something).
    expect(bounded).toEqual(
      expect.arrayContaining([
        'SessionFilter.labels',
        'LabelFilter.values',
        'AppendTranscriptInput.messages',
        'Query._entities(representations)',
      ]),
    );
  });
});
