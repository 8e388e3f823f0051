import { randomFillSync } from 'node:crypto';

// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids made later sort later,
// so primary-key indexes grow at their right edge instead of touching a random page per insert;
// on the ingest path that halves the pages each commit writes.

// Random bytes are drawn 4 KiB at a time; each id takes the 8 it needs (after the time and the
// in-millisecond counter, RFC 9562's rand_b).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
let lastMs = 0;
let sequence = 0;

// Each byte's two hex digits, so an id is a few concatenations (every deploy takes two ids).
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const TWO_TO_24 = 0x1000000;

function random8(): number {
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 8;
  return poolOffset - 8;
}

/** A new UUIDv7; ids from one process are strictly increasing, even within a millisecond. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4096 ids in one millisecond: borrow the next millisecond rather than lose the order.
    lastMs += 1;
    sequence = 0;
  }
  // 48 bits do not fit JavaScript's 32-bit bit operations: the time as two 24-bit halves.
  const high = Math.floor(lastMs / TWO_TO_24);
  const low = lastMs - high * TWO_TO_24;
  const r = random8();
  return (
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | (sequence >> 8)]! +
    HEX[sequence & 0xff]! +
    '-' +
    HEX[0x80 | (pool[r]! & 0x3f)]! +
    HEX[pool[r + 1]!]! +
    '-' +
    HEX[pool[r + 2]!]! +
    HEX[pool[r + 3]!]! +
    HEX[pool[r + 4]!]! +
    HEX[pool[r + 5]!]! +
    HEX[pool[r + 6]!]! +
    HEX[pool[r + 7]!]!
  );
}
