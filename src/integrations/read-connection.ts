import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { ConnectionWithSecrets } from '../core/connection.js';
import { NonRetriableError } from '../engine/action.js';

/**
 * What `readConnection` needs of a connection type: its name and the two schemas it declares.
 * A `ConnectionType` is one; a provider's client declares its own with the concrete schemas so
 * the settings it reads are typed by them.
 */
export interface ConnectionSchemas<C extends TSchema = TSchema, S extends TSchema = TSchema> {
  type: string;
  config: C;
  secrets: S;
}

/** A connection's settings, typed by its type's schemas, with their declared defaults applied. */
export interface ConnectionSettings<C extends TSchema, S extends TSchema> {
  config: Static<C>;
  secrets: Static<S>;
}

/**
 * A stored connection's config and secrets, read through its type's schemas: declared defaults
 * filled in, fields no longer declared dropped, an empty optional text taken as absent (forms send
 * "" for a cleared field), and anything else that does not fit refused. The store accepted the
 * connection against the same schemas, so a refusal means it was changed behind Shipline's back or
 * the schema moved on; retrying cannot fix either, hence a NonRetriableError that names every
 * problem (and never a secret's value).
 */
export function readConnection<C extends TSchema, S extends TSchema>(
  type: ConnectionSchemas<C, S>,
  connection: ConnectionWithSecrets,
): ConnectionSettings<C, S> {
  if (connection.type !== type.type)
    throw new NonRetriableError(`connection "${connection.name}" is a ${connection.type} connection, not ${type.type}`);
  const problems: string[] = [];
  const config = read(type.config, connection.config, 'config', problems);
  const secrets = read(type.secrets, connection.secrets, 'secrets', problems);
  if (problems.length > 0)
    throw new NonRetriableError(
      `${type.type} connection "${connection.name}" is misconfigured: ${problems.join('; ')}; edit the connection`,
    );
  return { config: config as Static<C>, secrets: secrets as Static<S> };
}

function read(schema: TSchema, stored: unknown, what: string, problems: string[]): unknown {
  const value = Value.Clean(schema, Value.Default(schema, withoutEmptyText(stored)));
  if (Value.Check(schema, value)) return Value.Parse(schema, value);
  for (const error of Value.Errors(schema, value)) {
    const path = error.instancePath.replace(/\//g, '.');
    const missing = (error.params as { requiredProperties?: unknown }).requiredProperties;
    if (Array.isArray(missing)) problems.push(missing.map((name) => `${what}.${String(name)} is missing`).join('; '));
    else problems.push(`${what}${path} ${readableError(schema, error.instancePath, error.message)}`);
  }
  return undefined;
}

/**
 * A field that declares `examples` is refused with its first example ("does not look like
 * https://…") rather than the pattern it failed: people fix a URL from an example, not a regex.
 */
function readableError(schema: TSchema, instancePath: string, message: string): string {
  const name = instancePath.split('/')[1];
  const properties = (schema as { properties?: Record<string, { examples?: unknown }> }).properties;
  const examples = name ? properties?.[name]?.examples : undefined;
  return Array.isArray(examples) && typeof examples[0] === 'string' && instancePath.split('/').length === 2
    ? `does not have the expected form (e.g. ${examples[0]})`
    : message;
}

/** A copy without the fields whose value is "" (or only spaces). */
function withoutEmptyText(stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored ?? {};
  return Object.fromEntries(Object.entries(stored).filter(([, v]) => !(typeof v === 'string' && v.trim() === '')));
}
