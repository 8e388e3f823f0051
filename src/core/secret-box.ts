import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of small secrets at rest: AES-256-GCM with a random 12-byte IV.
 * Sealed form: `v1:` + base64(iv | tag | ciphertext). The version prefix lets a later scheme
 * (or key rotation) tell old values apart without guessing.
 */

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Encrypts `plaintext` under `key` (32 bytes); every call uses a fresh IV. */
export function seal(key: Buffer, plaintext: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Decrypts a value from `seal`. Throws when it was sealed under another key or has been altered. */
export function open(key: Buffer, sealed: string): string {
  checkKey(key);
  if (!sealed.startsWith(VERSION)) throw new Error('Unknown sealed value format (expected the v1: prefix)');
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    // OpenSSL's message ("Unsupported state or unable to authenticate data") helps nobody.
    throw new Error('Sealed value failed authentication: wrong master key, or the value was altered');
  }
}

/**
 * Reads a configured master key: base64 of exactly 32 bytes, or 64 hex digits. The error never
 * echoes the value, which may be a real key with a typo in it.
 */
export function parseMasterKey(raw: string): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new Error(`The master key must be ${KEY_BYTES} bytes given as base64 (e.g. \`openssl rand -base64 32\`) or as 64 hex digits`);
}
