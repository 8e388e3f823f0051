import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// Crockford's base 32: no I, L, O or U, so a code read off a terminal cannot be mistyped as another.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 5;
const GROUP_CHARS = 4;

/** Upper case without separators: what is compared, so `abcd-efgh` and `ABCD EFGH` are the same code. */
function canonical(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

const digest = (code: string) => createHash('sha256').update(canonical(code)).digest();

/**
 * The one-time code that lets a browser create the first admin of a fresh Shipline (as Jenkins'
 * initial admin password and Grafana's first login do): printed on the server's console, so only
 * someone who sees that console can claim the server. 20 characters of base 32 are 100 random
 * bits: with the setup route's limit of failures per address, guessing is hopeless. Each process
 * issues its own and keeps only its SHA-256, in memory; nothing is stored.
 */
export class SetupCode {
  private hash: Buffer | undefined;

  /** A new code, replacing any earlier one, in groups of four: `7K2M-QX9P-…`. Shown once by the caller. */
  issue(): string {
    const chars = Array.from({ length: GROUPS * GROUP_CHARS }, () => ALPHABET[randomInt(ALPHABET.length)]!);
    const code = Array.from({ length: GROUPS }, (_, i) => chars.slice(i * GROUP_CHARS, (i + 1) * GROUP_CHARS).join('')).join('-');
    this.hash = digest(code);
    return code;
  }

  /** True when `given` is the issued code; compared in constant time (both sides are hashes of equal length). */
  matches(given: string): boolean {
    return this.hash !== undefined && timingSafeEqual(this.hash, digest(given));
  }

  /** Used up: no code is accepted after the first admin exists. */
  retire(): void {
    this.hash = undefined;
  }
}
