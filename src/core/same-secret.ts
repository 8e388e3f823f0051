import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a credential someone sent equals the stored one, in constant time: both are hashed to
 * equal-length SHA-256 digests first, so neither the content nor the length of `given` leaks.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
