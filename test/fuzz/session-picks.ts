import fc from 'fast-check';

/**
 * Which sessions exist changes while the fuzz runs (saves add some, deletes remove some), so a
 * generated value cannot hold a real id. It holds a pick instead, resolved against the sessions in
 * the database right before the request is sent.
 */
const FORMS = ['full', 'upper', 'noDashes', 'prefix8', 'prefix13', 'prefix7', 'padded', 'withSuffix'] as const;
type Form = (typeof FORMS)[number];

export class SessionPick {
  constructor(
    readonly index: number,
    readonly form: Form,
  ) {}

  resolve(ids: readonly string[]): string {
    const id = ids.length > 0 ? ids[this.index % ids.length]! : '00000000-0000-4000-8000-000000000000';
    switch (this.form) {
      case 'full':
        return id;
      case 'upper':
        return id.toUpperCase();
      case 'noDashes':
        return id.replaceAll('-', '');
      case 'prefix8':
        return id.slice(0, 8);
      case 'prefix13':
        return id.slice(0, 13);
      case 'prefix7':
        return id.slice(0, 7);
      case 'padded':
        return `  ${id}\t`;
      case 'withSuffix':
        return `${id}0`;
    }
  }

  [fc.toStringMethod](): string {
    return `SessionPick(${this.index}, ${this.form})`;
  }
}

/** An existing session, in any of the forms an `id` argument takes (and some it does not). */
export const sessionPick = (forms: readonly Form[] = FORMS): fc.Arbitrary<SessionPick> =>
  fc.tuple(fc.nat({ max: 1000 }), fc.constantFrom(...forms)).map(([index, form]) => new SessionPick(index, form));

/** `value` with every pick replaced by an id, ready for JSON. */
export function resolvePicks(value: unknown, ids: readonly string[]): unknown {
  if (value instanceof SessionPick) return value.resolve(ids);
  if (Array.isArray(value)) return value.map((item) => resolvePicks(item, ids));
  if (value !== null && typeof value === 'object') {
    // defineProperty keeps a "__proto__" key an own key, as JSON.parse made it.
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: resolvePicks(item, ids), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}
