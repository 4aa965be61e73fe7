import fc from 'fast-check';
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLList,
  type GraphQLNamedInputType,
} from 'graphql';
import { anyJson, hostileNumber, hostileString, uuidLike } from './hostile-values.js';

/**
 * Variables for any operation, derived from the schema's input types, so every argument and input
 * field is fuzzed by its type, in two modes:
 * - `wellTyped`: every value coerces (right types, valid enums and UUIDs, required fields present,
 *   no unknown fields) while the contents are hostile: strings of every kind, integers at and past
 *   the API's limits, empty and oversized lists. These requests reach the resolvers and the rules.
 * - `malformed`: the same, plus the wrong type anywhere, a null where none is allowed, a missing
 *   required field, an unknown extra field, an invalid enum value or UUID. These test coercion.
 * Hints replace the leaf values at a coordinate with domain values (the tenant's slugs, real
 * session ids, cursors), so requests get past authorisation and lookups often enough to test the
 * rules behind them. A hint yields values of its position's type.
 */

/** Leaf values for a coordinate: `field.arg` or `arg` for arguments, `InputType.field` for input fields. */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/** Placed where a value is left out (the key is then absent from the object). */
const OMIT: unique symbol = Symbol('omit');
/** A value, or OMIT (`unknown` takes in both). */
type Maybe = unknown;

/** Lists at and past every bound of the API (64 keys, 100 ids, 256 values, 500 messages, 1000 entities) and far past them. */
const OVERSIZED_LENGTHS = [64, 65, 100, 101, 256, 257, 500, 501, 1000, 1001, 10_000] as const;
/** Oversized lists repeat one small element, so a request stays below the body limit. */
const SMALL_JSON = 200;

export type Mode = 'wellTyped' | 'malformed';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const int32Edges = fc.constantFrom(0, -1, 1, 100, 101, 500, 501, 1000, 1001, INT32.min, INT32.max);

/** Values that coerce to the scalar (wellTyped), and some that do not (malformed). */
function scalarArbitrary(name: string, mode: Mode): fc.Arbitrary<unknown> {
  const wellTyped = (arbitrary: fc.Arbitrary<unknown>, malformed: fc.Arbitrary<unknown>) =>
    mode === 'wellTyped' ? arbitrary : fc.oneof({ weight: 2, arbitrary }, { weight: 1, arbitrary: malformed });
  switch (name) {
    case 'String':
      return fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 2, arbitrary: hostileString });
    case 'Int':
      return wellTyped(
        fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: -5, max: 120 }) },
          { weight: 1, arbitrary: int32Edges },
          { weight: 1, arbitrary: fc.integer(INT32) },
        ),
        fc.oneof(hostileNumber, fc.integer().map(String)),
      );
    case 'NonNegativeInt':
      // Coerced as Int: 0 to 2^31-1; past it, fractions, 1e21 and numeric strings do not coerce.
      return wellTyped(
        fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 1000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, INT32.max) }),
        fc.oneof(hostileNumber, fc.constantFrom(INT32.max + 1, 2 ** 53 - 1, 1e21, 2.5e21), fc.nat().map(String)),
      );
    case 'Float':
      return wellTyped(
        fc.oneof(
          fc.double({ min: 0, max: 10, noNaN: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constantFrom(-0, 1e9, -1),
        ),
        hostileNumber,
      );
    case 'Boolean':
      return wellTyped(fc.boolean(), fc.constantFrom('true', 1, 0));
    case 'UUID':
      return wellTyped(fc.uuid(), uuidLike);
    case 'JSONObject':
      return wellTyped(jsonObject, anyJson);
    default:
      return anyJson;
  }
}

/**
 * An object nested `levels` deep ({"a":{"a":…}}), built without recursion. Kept to a few thousand
 * levels: JSON.stringify, which sends it, overflows the stack itself at about 5,000.
 */
export const deepObject = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
};

/** JSONObject values: small objects, objects past the 64 KiB metadata limit, hostile keys and strings, deep nesting. */
export const jsonObject: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(63, 64, 65, 200, 3_000).map(deepObject) },
  { weight: 4, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      hostileString.filter((s) => s.length < 100),
      hostileString,
      { maxKeys: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(JSON.parse('{"__proto__":{"admin":true}}') as unknown, { constructor: { prototype: 1 } }) },
  { weight: 1, arbitrary: fc.nat({ max: 3 }).map((n) => ({ blob: 'x'.repeat(65_536 + n) })) },
);

interface Context {
  hints: Hints;
  mode: Mode;
  depth: number;
}

/** Input objects nest this deep at most (the schema's go three deep); deeper is random JSON. */
const MAX_DEPTH = 5;

/**
 * A value for a position of this type. `coordinates` name the position, most specific first; the
 * first with a hint wins. Malformed runs put null in non-null positions and any JSON anywhere.
 */
function valueFor(type: GraphQLInputType, coordinates: string[], context: Context): fc.Arbitrary<unknown> {
  const malformed = context.mode === 'malformed';
  if (isNonNullType(type)) {
    const value = nonNullValue(type.ofType, coordinates, context);
    return malformed ? fc.oneof({ weight: 15, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
  }
  // Nullable positions: null is legal, and so is leaving the value out (decided by the parent).
  const value = nonNullValue(type, coordinates, context);
  return malformed
    ? fc.oneof({ weight: 12, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: anyJson })
    : fc.oneof({ weight: 15, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) });
}

function nonNullValue(
  type: GraphQLNamedInputType | GraphQLList<GraphQLInputType>,
  coordinates: string[],
  context: Context,
): fc.Arbitrary<unknown> {
  if (isListType(type)) return listValue(valueFor(type.ofType, coordinates, context));
  const hint = coordinates.map((coordinate) => context.hints[coordinate]).find((arbitrary) => arbitrary !== undefined);
  if (hint) {
    // Malformed runs still send near-misses of the scalar (a UUID with a stray character …).
    return context.mode === 'malformed' && isScalarType(type)
      ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: scalarArbitrary(type.name, 'malformed') })
      : hint;
  }
  if (isScalarType(type)) return scalarArbitrary(type.name, context.mode);
  if (isEnumType(type)) {
    const values = fc.constantFrom(...type.getValues().map((value) => value.name));
    return context.mode === 'wellTyped'
      ? values
      : fc.oneof(
          { weight: 4, arbitrary: values },
          { weight: 1, arbitrary: values.map((value) => value.toLowerCase()) },
          { weight: 1, arbitrary: hostileString },
        );
  }
  if (isInputObjectType(type)) {
    if (context.depth >= MAX_DEPTH) return anyJson;
    const fields = Object.values(type.getFields()).map((field) => ({
      name: field.name,
      type: field.type,
      required: isNonNullType(field.type) && field.defaultValue === undefined,
    }));
    return inputObject(type.name, fields, { ...context, depth: context.depth + 1 });
  }
  return anyJson;
}

function listValue(item: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant([]) },
    // A single value where a list is expected is coerced into a list of one (GraphQL spec).
    { weight: 1, arbitrary: item },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          item.filter((value) => JSON.stringify(value ?? null).length < SMALL_JSON),
          fc.constantFrom(...OVERSIZED_LENGTHS),
        )
        .map(([value, length]) => Array.from({ length }, () => value)),
    },
  );
}

interface FieldSpec {
  name: string;
  type: GraphQLInputType;
  required: boolean;
}

/** Optional fields are present half the time; required ones always, unless malformed. */
function presence(field: FieldSpec, value: fc.Arbitrary<unknown>, mode: Mode): fc.Arbitrary<Maybe> {
  if (!field.required) return fc.oneof({ weight: 1, arbitrary: value }, { weight: 1, arbitrary: fc.constant(OMIT) });
  return mode === 'wellTyped' ? value : fc.oneof({ weight: 15, arbitrary: value }, { weight: 1, arbitrary: fc.constant(OMIT) });
}

function withoutOmitted(entries: [string, Maybe][]): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, value]) => value !== OMIT));
}

function inputObject(typeName: string, fields: FieldSpec[], context: Context): fc.Arbitrary<unknown> {
  const values = fields.map((field) =>
    presence(field, valueFor(field.type, [`${typeName}.${field.name}`], context), context.mode).map((value): [string, Maybe] => [
      field.name,
      value,
    ]),
  );
  // Malformed objects carry an unknown field one time in six.
  const extra =
    context.mode === 'wellTyped'
      ? fc.constant(null)
      : fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), anyJson) });
  return fc.tuple(fc.tuple(...values), extra).map(([entries, more]) => {
    const object = withoutOmitted(entries);
    if (more && !Object.hasOwn(object, more[0])) {
      Object.defineProperty(object, more[0], { value: more[1], enumerable: true, writable: true, configurable: true });
    }
    return object;
  });
}

/** One variable of an operation: a root argument or a variable the selection uses. */
export interface VariableSpec {
  name: string;
  type: GraphQLInputType;
  /** Where hints are looked up, most specific first. */
  coordinates: string[];
}

export const argumentVariable = (field: string, arg: GraphQLArgument): VariableSpec => ({
  name: arg.name,
  type: arg.type,
  coordinates: [`${field}.${arg.name}`, arg.name],
});

/** Variables for these specs, derived from their types (see the modes above). */
export function typedVariables(specs: VariableSpec[], hints: Hints, mode: Mode): fc.Arbitrary<Record<string, unknown>> {
  const context: Context = { hints, mode, depth: 0 };
  const entries = specs.map((spec) =>
    presence(
      { name: spec.name, type: spec.type, required: isNonNullType(spec.type) },
      valueFor(spec.type, spec.coordinates, context),
      mode,
    ).map((value): [string, Maybe] => [spec.name, value]),
  );
  const variables = entries.length === 0 ? fc.constant({}) : fc.tuple(...entries).map(withoutOmitted);
  return mode === 'wellTyped' ? variables.map((value) => storable(value) as Record<string, unknown>) : variables;
}

/**
 * A NUL character or an unpaired surrogate anywhere fails the whole request at the edge
 * (input-guard.ts); well-typed variables are meant to get further, so they trade them for U+0001
 * and U+FFFD (malformed ones keep them).
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\u0001').replace(/\p{Surrogate}/gu, '\uFFFD');
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, storable(key) as string, { value: storable(item), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}

/** Fully random variables: the right names (or not) with any JSON at all. */
export function randomVariables(specs: VariableSpec[]): fc.Arbitrary<unknown> {
  const names = specs.map((spec) => spec.name);
  const key =
    names.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string() }) : fc.string();
  return fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(key, anyJson, { maxKeys: names.length + 2 }) },
    // Not an object at all: an array, a string, a number …
    { weight: 1, arbitrary: anyJson },
  );
}

/** Numbers a lax server reads as some other number (1e21 as 1, "5" as 5, 1.5 as 1) or stores past its column. */
const NEAR_MISS_NUMBERS = [1e21, 2.5e21, '5', '0', 1.5, -1, 2 ** 31, 2 ** 53, -0.5] as const;

/**
 * Well-typed variables with exactly one number replaced by a near miss: a strict server refuses
 * the request (BAD_USER_INPUT), a lax one stores something else than was sent, which the
 * round-trip check of a successful write then sees.
 */
export function withOneNearMissNumber(variables: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(variables, fc.nat(), fc.constantFrom(...NEAR_MISS_NUMBERS)).map(([value, pick, replacement]) => {
    // Paths to every number, found without recursion (values may nest thousands of levels).
    const paths: string[][] = [];
    const stack: [unknown, string[]][] = [[value, []]];
    while (stack.length > 0) {
      const [node, path] = stack.pop()!;
      if (node === null || typeof node !== 'object') continue;
      for (const [key, item] of Object.entries(node)) {
        if (typeof item === 'number') paths.push([...path, key]);
        else if (path.length < 16) stack.push([item, [...path, key]]);
      }
    }
    const path = paths[pick % Math.max(1, paths.length)];
    if (!path) return value;
    // A copy along the path only; the rest is shared with the generated value, which stays as it was.
    const shallow = (node: unknown): Record<string, unknown> =>
      Array.isArray(node) ? ([...(node as unknown[])] as unknown as Record<string, unknown>) : { ...(node as Record<string, unknown>) };
    const copy = shallow(value);
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] = shallow(node[key]);
    node[path.at(-1)!] = replacement;
    return copy;
  });
}
