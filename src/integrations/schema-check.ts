import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ShiplineError } from '../core/errors.js';

/** The value if it fits the schema; else 400 `connection.invalid` listing every problem as `what.path: message`. */
export function checkedAgainst(schema: TSchema, value: unknown, what: string): unknown {
  if (Value.Check(schema, value)) return value;
  const problems = [...Value.Errors(schema, value)].map((e) => `${what}${e.instancePath.replace(/\//g, '.') || ''}: ${e.message}`);
  throw new ShiplineError('connection.invalid', `The connection is invalid: ${problems.join('; ')}`, { problems });
}
