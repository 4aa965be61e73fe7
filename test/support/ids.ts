import { randomBytes, randomUUID } from 'node:crypto';

/** A v4-shaped UUID that starts with the given hex prefix (for id-prefix tests). */
export function uuidWithPrefix(prefix: string): string {
  const rest = randomUUID().replaceAll('-', '').slice(prefix.length);
  const hex = (prefix + rest).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export const randomHex = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
