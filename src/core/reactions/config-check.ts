import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { isTemplate } from './templates.js';
import { at, type Problems } from './validate-shared.js';

/**
 * Checks a step's `with` against its action's TypeBox object schema, top level only: required
 * settings present, unknown ones refused when the schema says `additionalProperties: false`, and
 * values written without templates of the right type. A value holding a template is left alone:
 * it is only known after rendering. Literal values are converted first (as an engine converting
 * rendered strings would), so `port: "8080"` is not refused where a number is expected. Settings
 * in `skip` (refused by the action's own check) are left out.
 */
export function checkConfig(
  config: Record<string, unknown>,
  schema: TSchema,
  action: string,
  path: string,
  problems: Problems,
  skip: ReadonlySet<string> = new Set(),
): void {
  const s = schema as { properties?: unknown; required?: unknown; additionalProperties?: unknown };
  const properties = (s.properties !== null && typeof s.properties === 'object' ? s.properties : {}) as Record<string, TSchema>;
  const required = Array.isArray(s.required) ? (s.required as unknown[]).filter((k): k is string => typeof k === 'string') : [];
  for (const key of required) {
    if (config[key] === undefined) problems.push(`${at(path, key)}: required by action "${action}"`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (skip.has(key)) continue;
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property === undefined) {
      if (s.additionalProperties === false) {
        const known = Object.keys(properties);
        problems.push(`${at(path, key)}: action "${action}" has no setting "${key}"${known.length ? ` (it has ${known.join(', ')})` : ''}`);
      }
      continue;
    }
    if (holdsTemplate(value)) continue;
    const problem = valueProblem(property, value);
    if (problem) problems.push(`${at(path, key)}${problem.where}: ${problem.message}`);
  }
}

function holdsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(holdsTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsTemplate);
  return false;
}

function valueProblem(schema: TSchema, value: unknown): { where: string; message: string } | null {
  const converted = Value.Convert(schema, Value.Clone(value));
  if (Value.Check(schema, converted)) return null;
  // A union of literals (how TypeBox spells an enum) reads better as its list than as "anyOf".
  const anyOf = (schema as { anyOf?: unknown }).anyOf;
  if (Array.isArray(anyOf) && anyOf.every((b) => b !== null && typeof b === 'object' && 'const' in b)) {
    return { where: '', message: `must be one of ${anyOf.map((b) => JSON.stringify((b as { const: unknown }).const)).join(', ')}` };
  }
  const [first] = Value.Errors(schema, converted);
  if (!first) return { where: '', message: 'has the wrong type' };
  return { where: pointerToPath(first.instancePath), message: first.message };
}

/** `/headers/0/name` → `.headers[0].name`. */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
}
