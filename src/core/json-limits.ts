/**
 * Limits on what a request may carry, the same on both stores: text without NUL characters
 * (PostgreSQL cannot store U+0000 in text or JSON, so SQLite must not accept it either), JSON no
 * deeper than MAX_JSON_DEPTH (serialising a value recurses, so 5,000 levels overflow the stack
 * when it is stored or answered), and finite numbers (JSON has no Infinity; `1e309` parses to it).
 */

/** Levels of nesting a JSON body may have; far more than any payload Shipline reads. */
export const MAX_JSON_DEPTH = 64;

export type InputProblem = { code: 'request.nul_character' | 'request.too_deep' | 'request.invalid'; message: string };

const nul = (where: string): InputProblem => ({
  code: 'request.nul_character',
  message: `${where} contains a NUL character (U+0000), which Shipline does not accept`,
});
const deep = (where: string): InputProblem => ({
  code: 'request.too_deep',
  message: `${where} is nested more than ${MAX_JSON_DEPTH} levels deep`,
});

/** What is wrong with a parsed value (NUL in a string or key, too deep, a non-finite number), or null. */
export function valueProblem(value: unknown, where: string): InputProblem | null {
  // Iterative, so the check itself cannot overflow the stack it protects; two flat stacks and
  // for-in rather than entries() arrays, since every JSON body of every request passes here.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return nul(where);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { code: 'request.invalid', message: `${where} holds a number out of range (${v})` };
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return deep(where);
      const record = v as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        if (key.includes('\u0000')) return nul(where);
        values.push(record[key]);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * The same limits on a body kept as bytes (webhook deliveries, whose signatures cover the exact
 * bytes): a NUL byte anywhere, and when it is JSON, a `\u0000` escape or nesting too deep. One
 * pass, no parse.
 */
export function rawBodyProblem(body: Buffer, json: boolean): InputProblem | null {
  if (body.includes(0)) return nul('the body');
  if (!json) return null;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === BACKSLASH) {
        if (body[i + 1] === 0x75 && body.toString('latin1', i + 2, i + 6) === '0000') return nul('the body');
        i++;
      } else if (c === QUOTE) {
        inString = false;
      }
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return deep('the body');
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return null;
}
