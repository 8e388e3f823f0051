import type { JsonSchema } from './types';

/**
 * How the form edits one `with` field, read from the action's JSON Schema. Any field may hold a
 * template (`{{ data.service.name }}`), so text stays free text everywhere; what the form cannot
 * show as plain inputs (unions of objects, lists of objects, free-form objects) is edited as YAML.
 */
export type FieldKind =
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'choice'; options: string[] }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'map' }
  | { kind: 'lines' }
  | { kind: 'yaml' };

const types = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);
const isScalarText = (s: JsonSchema) => types(s).some((t) => t === 'string' || t === 'number' || t === 'integer');

/** The fixed values a schema allows (`enum`, `const`, or a union of consts), if that is all it allows. */
function choices(schema: JsonSchema): string[] | null {
  if (Array.isArray(schema.enum)) return schema.enum.map(String);
  if (schema.const !== undefined) return [String(schema.const)];
  if (schema.anyOf && schema.anyOf.length > 0 && schema.anyOf.every((s) => s.const !== undefined))
    return schema.anyOf.map((s) => String(s.const));
  return null;
}

export function fieldKind(schema: JsonSchema): FieldKind {
  const options = choices(schema);
  if (options) return { kind: 'choice', options };
  if (schema.anyOf) {
    // Durations (number or text) and ids (integer or text) are typed as text; the server reads both.
    return schema.anyOf.every(isScalarText) ? { kind: 'text' } : { kind: 'yaml' };
  }
  const [type] = types(schema);
  if (type === 'string') return { kind: 'text' };
  if (type === 'number' || type === 'integer') return { kind: 'number' };
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'object' && schema.properties && !schema.patternProperties) return { kind: 'object', schema };
  if (type === 'object' && schema.patternProperties) {
    const [values] = Object.values(schema.patternProperties);
    return values && types(values).includes('string') && !values.anyOf ? { kind: 'map' } : { kind: 'yaml' };
  }
  if (type === 'array' && schema.items && types(schema.items).includes('string') && !schema.items.anyOf) return { kind: 'lines' };
  return { kind: 'yaml' };
}

/** A field's label from its key: `deploy_url` → "Deploy url", `pollInterval` → "Poll interval". */
export function fieldLabel(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A typed number when the text is one; otherwise the text itself (a template, say). */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) && /^-?\d+(\.\d+)?$/.test(trimmed) ? n : text;
}

export const isTemplate = (value: unknown) => typeof value === 'string' && /\{\{|\{%/.test(value);
