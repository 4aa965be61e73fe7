import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLList,
  type GraphQLSchema,
} from 'graphql';
import { hostileNumber, hostileString } from './hostile-values.js';

/**
 * GraphQL-ish documents: token soup built from the schema's own names (mostly syntax errors),
 * structured operations with literal arguments (mostly validation errors, some valid), and
 * documents shaped to exhaust a server (deep, wide, long, cyclic). Literals may name the fuzz
 * tenant's slugs, so some operations reach the resolvers through literal (not variable) coercion.
 */
export interface DocumentContext {
  schema: GraphQLSchema;
  /** Strings worth putting in literals: the tenant's slugs, session ids and prefixes. */
  domainStrings: string[];
}

const PUNCTUATORS = ['{', '}', '(', ')', '[', ']', ':', '$', '!', '=', '@', '...', '|', '&', ','];
const KEYWORDS = [
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'true',
  'false',
  'null',
  'schema',
  'type',
  'input',
  'extend',
  'directive',
];
const OTHER_TOKENS = [
  '__typename',
  '__schema',
  '__type',
  '@include(if: true)',
  '@skip(if: $x)',
  '@deprecated',
  '@defer',
  '@stream',
  '# comment\n',
  '\uFEFF',
  '\u00A0',
  '"""block\\"""',
  '"""',
];

function schemaNames(schema: GraphQLSchema): string[] {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    names.add(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      const fields = Object.values(type.getFields()) as { name: string; args?: readonly { name: string }[] }[];
      for (const field of fields) {
        names.add(field.name);
        for (const arg of field.args ?? []) names.add(arg.name);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) names.add(value.name);
  }
  return [...names];
}

/** The value one time in ten, otherwise null. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });

/** A literal of any kind, as GraphQL source text. */
function literal(context: DocumentContext): fc.Arbitrary<string> {
  const scalar = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...context.domainStrings).map((s) => JSON.stringify(s)) },
    { weight: 3, arbitrary: hostileString.filter((s) => s.length < 300).map((s) => JSON.stringify(s)) },
    { weight: 2, arbitrary: hostileNumber.map(String) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'true',
        'false',
        'null',
        'USER',
        'ASSISTANT',
        'ASC',
        'UPDATED_AT',
        'WORKSPACE',
        'ANY',
        '$x',
        '"\\u0000"',
        '"\\ud800"',
        '"\\x"',
        '1e999',
        '-0',
        '0x10',
        '01',
      ),
    },
  );
  return fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`) },
      {
        weight: 1,
        arbitrary: fc
          .array(
            fc.tuple(fc.constantFrom('id', 'model', 'key', 'values', 'messages', 'role', 'labels', 'title', 'field', 'x'), tie('value')),
            { maxLength: 3 },
          )
          .map((fields) => `{${fields.map(([name, value]) => `${name}: ${value}`).join(', ')}}`),
      },
    ),
  })).value;
}

/** A selection set for a field's type: some of its fields (right or wrong), nested a little. */
function selection(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  context: DocumentContext,
  depth: number,
): fc.Arbitrary<string> {
  const type = getNamedType(field.type);
  if (!(isObjectType(type) || isInterfaceType(type) || isUnionType(type)))
    return fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('{ id }') });
  if (depth > 3) return fc.constant('{ __typename }');
  const fields = isUnionType(type) ? [] : Object.values(type.getFields());
  const item: fc.Arbitrary<string> =
    fields.length === 0
      ? fc.constantFrom('__typename', '... on Session { id }')
      : fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom(...fields).chain((sub) => fieldText(schema, sub, context, depth + 1)) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('__typename', 'nope', 'id', 'alias: id', '...F', '... on Session { id }', '... { __typename }'),
          },
        );
  return fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => `{ ${items.join(' ')} }`);
}

/** A literal for an argument of this type: usually of the type (domain strings, edge numbers), sometimes anything. */
function typedLiteral(type: GraphQLInputType, context: DocumentContext, depth: number): fc.Arbitrary<string> {
  const anything = literal(context);
  if (depth > 4) return anything;
  const named = getNamedType(type);
  let typed: fc.Arbitrary<string>;
  if (isListType(getNullableType(type))) {
    const item = typedLiteral((getNullableType(type) as GraphQLList<GraphQLInputType>).ofType, context, depth + 1);
    typed = fc.array(item, { maxLength: 3 }).map((items) => `[${items.join(', ')}]`);
  } else if (isEnumType(named)) {
    typed = fc.constantFrom(...named.getValues().map((value) => value.name));
  } else if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).map((field) =>
      fc.option(
        typedLiteral(field.type, context, depth + 1).map((value) => `${field.name}: ${value}`),
        {
          freq: isNonNullType(field.type) ? 20 : 2,
        },
      ),
    );
    typed = fc.tuple(...fields).map((parts) => `{${parts.filter((part) => part !== null).join(', ')}}`);
  } else if (named.name === 'Int' || named.name === 'NonNegativeInt') {
    typed = fc.oneof(fc.integer({ min: -2, max: 120 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1)).map(String);
  } else if (named.name === 'Float') {
    typed = fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }).map(String), fc.constantFrom('1e999', '-1', '0'));
  } else if (named.name === 'Boolean') {
    typed = fc.constantFrom('true', 'false');
  } else if (named.name === 'UUID') {
    typed = fc.oneof(fc.uuid(), fc.constantFrom(...context.domainStrings)).map((id) => JSON.stringify(id));
  } else {
    typed = fc
      .oneof(
        fc.constantFrom(...context.domainStrings),
        hostileString.filter((text) => text.length < 300),
      )
      .map((text) => JSON.stringify(text));
  }
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

function fieldText(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  context: DocumentContext,
  depth: number,
): fc.Arbitrary<string> {
  // Each argument usually present (required ones nearly always) with a literal of its type; now
  // and then one the field does not have.
  const args = fc
    .tuple(
      ...field.args.map((arg) =>
        fc.option(
          typedLiteral(arg.type, context, 0).map((value) => `${arg.name}: ${value}`),
          { freq: isNonNullType(arg.type) ? 20 : 2 },
        ),
      ),
      rarely(literal(context).map((value) => `bogus: ${value}`)),
    )
    .map((parts) => parts.filter((part) => part !== null))
    .map((parts) => (parts.length === 0 ? '' : `(${parts.join(', ')})`));
  const alias = rarely(fc.constantFrom('a', 'b', 'x1')).map((name) => (name ? `${name}: ` : ''));
  return fc.tuple(alias, args, selection(schema, field, context, depth)).map(([a, argText, sel]) => `${a}${field.name}${argText} ${sel}`);
}

/** One operation on one root field (so a document changes at most one thing). */
function structured(context: DocumentContext): fc.Arbitrary<string> {
  const { schema } = context;
  const roots = [
    ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ['query', field] as const),
    ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ['mutation', field] as const),
  ];
  return fc
    .tuple(
      fc.constantFrom(...roots),
      fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('query', 'mutation', 'subscription') }),
      rarely(fc.constantFrom('Op', 'Fuzz', '__x')),
    )
    .chain(([[kind, field], keyword, name]) =>
      fc.tuple(fieldText(schema, field, context, 0), fc.integer({ min: 0, max: 5 })).map(([text, spreads]) => {
        // An anonymous `{ … }` is a query; keep the operation type right most of the time.
        const type = keyword === '' ? (kind === 'query' ? '' : 'mutation') : keyword;
        // Now and then the field sits in a fragment on the root type, spread once or more.
        if (spreads < 4) return `${type}${name ? ` ${name}` : ''} { ${text} }`;
        const root = kind === 'query' ? 'Query' : 'Mutation';
        return `${type || 'query'}${name ? ` ${name}` : ''} { ${'...R '.repeat(spreads - 3)}} fragment R on ${root} { ${text} }`;
      }),
    );
}

/** `levels` fragments, each spreading the next `width` times: width^levels leaves in a small document. */
const nestedSpreads = (levels: number, width: number, root = 'Query', leaf = '__typename') => {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${root} { ${`...F${i + 1} `.repeat(width)}}`);
  return `${root === 'Query' ? 'query' : 'mutation'} { ...F0 } ${fragments.join(' ')} fragment F${levels} on ${root} { ${leaf} }`;
};

/** Documents shaped to exhaust a server: the operation limits must stop them politely, at once. */
const exhausting: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 10, max: 60 }), fc.integer({ min: 2, max: 3 })).map(([levels, width]) => nestedSpreads(levels, width)),
  fc
    .integer({ min: 5, max: 40 })
    .map((levels) => nestedSpreads(levels, 2, 'Query', 'viewer { user { id email } memberships { org role } }')),
  fc
    .integer({ min: 5, max: 40 })
    .map((levels) => nestedSpreads(levels, 2, 'Mutation', 'deleteSession(org: "o", workspace: "w", id: "00000000") { deletedSessionId }')),
  // Page sizes left to variable defaults count as if they were sent.
  fc
    .tuple(fc.constantFrom(1, 20, 100, 1000), fc.constantFrom(1, 100, 1000, 100_000))
    .map(
      ([a, b]) =>
        `query ($a: Int = ${a}, $b: Int = ${b}) { sessions(org: "o", workspace: "w", first: $a) { nodes { transcript(first: $b) { messages { id seq content } } } } }`,
    ),
  fc.integer({ min: 10, max: 300 }).map((n) => `{ ${'viewer { memberships { '.repeat(n)}org${' } }'.repeat(n)} }`),
  fc.integer({ min: 10, max: 200 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { tokenKind }`).join(' ')} }`),
  fc.integer({ min: 5000, max: 20000 }).map((n) => `{ ${'__typename '.repeat(n)}}`),
  fc.integer({ min: 20, max: 500 }).map((n) => `{ __typename ${'@include(if: true) '.repeat(n)}}`),
  fc.constant('query A { ...F } fragment F on Query { ...G } fragment G on Query { ...F }'),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => `{ ${'a'.repeat(n)} }`),
  fc
    .integer({ min: 100, max: 5000 })
    .map((n) => `{ sessions(org: "o", workspace: "w", filter: { agents: [${'"a", '.repeat(n)}] }) { totalCount } }`),
  fc
    .integer({ min: 60, max: 2000 })
    .map(
      (n) => `{ sessions(org: "o", workspace: "w", filter: { labels: [${'{ key: "k", values: ["v"] }, '.repeat(n)}] }) { totalCount } }`,
    ),
  fc
    .integer({ min: 60, max: 2000 })
    .map(
      (n) =>
        `mutation { appendTranscript(org: "o", workspace: "w", id: "00000000", input: { messages: [{ role: USER, metadata: ${'{ a: '.repeat(n)}1${' }'.repeat(n)} }] }) { lastSeq } }`,
    ),
  fc.integer({ min: 100, max: 2000 }).map((n) => `${'['.repeat(n)}`),
  fc.constant('{ sessions(org: "o", workspace: "w", first: 100) { nodes { transcript(first: 1000) { messages { id } } } } }'),
);

export function graphqlishDocument(context: DocumentContext): fc.Arbitrary<string> {
  const names = schemaNames(context.schema);
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    { weight: 4, arbitrary: fc.constantFrom(...PUNCTUATORS) },
    { weight: 2, arbitrary: fc.constantFrom(...KEYWORDS) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_TOKENS) },
    { weight: 2, arbitrary: literal(context) },
  );
  const soup = fc.array(token, { maxLength: 40 }).map((tokens) => tokens.join(' '));
  return fc.oneof({ weight: 3, arbitrary: soup }, { weight: 4, arbitrary: structured(context) }, { weight: 1, arbitrary: exhausting });
}
