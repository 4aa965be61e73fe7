import { createHash, randomBytes } from 'node:crypto';

/** A new opaque token secret: a recognisable prefix and 256 random bits. */
export function generateToken(): string {
  return `cst_${randomBytes(32).toString('base64url')}`;
}

/** What the database stores instead of the secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
