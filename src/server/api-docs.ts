/** The parts of an OpenAPI 3.1 document docs/api.md is generated from. */
export interface OpenApiDocument {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string; required?: boolean; description?: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
  'x-min-role'?: string;
}

interface Schema {
  type?: string | string[];
  format?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  default?: unknown;
}

const DEFAULT_RESPONSE = 'Default Response';
// Fields are listed this deep (`deployer.email`, `steps[].with`); deeper ones are named by their parent.
const MAX_DEPTH = 2;

const cell = (text: string | undefined) => (text ?? '').replace(/\s*\n+\s*/g, ' ').replace(/\|/g, '\\|');
const code = (text: string) => `\`${text}\``;

function typeOf(schema: Schema | undefined): string {
  if (!schema) return 'any';
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (schema.enum)
    return schema.enum.length > 8
      ? `${schema.type ?? 'enum'} (one of ${schema.enum.length})`
      : schema.enum.map((v) => code(String(v))).join(' \\| ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items)}`;
  if (schema.type === 'string' && schema.format) return `string (${schema.format})`;
  return schema.type ?? 'any';
}

interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** The fields of an object schema, nested objects (and arrays of them) flattened with dotted names. */
function fieldsOf(schema: Schema | undefined, prefix = '', depth = 0): Field[] {
  if (!schema?.properties) return [];
  const fields: Field[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const path = `${prefix}${name}`;
    const description = [property.description, property.default !== undefined ? `Default ${code(JSON.stringify(property.default))}.` : '']
      .filter(Boolean)
      .join(' ');
    fields.push({ name: path, type: typeOf(property), required: schema.required?.includes(name) ?? false, description });
    if (depth + 1 >= MAX_DEPTH) continue;
    if (property.properties) fields.push(...fieldsOf(property, `${path}.`, depth + 1));
    else if (property.items?.properties) fields.push(...fieldsOf(property.items, `${path}[].`, depth + 1));
  }
  return fields;
}

function fieldTable(fields: Field[]): string[] {
  return [
    '| Field | Type | Required | Description |',
    '| --- | --- | --- | --- |',
    ...fields.map((f) => `| ${code(f.name)} | ${cell(f.type)} | ${f.required ? 'yes' : 'no'} | ${cell(f.description)} |`),
  ];
}

function bodyLines(schema: Schema | undefined): string[] {
  const fields = fieldsOf(schema);
  if (fields.length > 0) return fieldTable(fields);
  const alternatives = schema?.anyOf ?? schema?.oneOf;
  if (alternatives?.some((a) => a.properties)) {
    return alternatives.flatMap((alternative, i) => [`One of (${i + 1}):`, '', ...bodyLines(alternative), '']).slice(0, -1);
  }
  return [`A JSON ${typeOf(schema)}.`];
}

/** What a response carries: its description, else the top-level fields of its body. */
function responseText(status: string, response: { description?: string; content?: Record<string, { schema?: Schema }> }): string {
  const schema = Object.values(response.content ?? {})[0]?.schema;
  const described = response.description && response.description !== DEFAULT_RESPONSE ? response.description : '';
  if (Number(status) >= 400) {
    return described || `An error with status ${status} ([errors.md](errors.md) lists the codes)`;
  }
  const shape = schema?.properties
    ? `object: ${Object.keys(schema.properties).map(code).join(', ')}`
    : schema?.type === 'array' && schema.items?.properties
      ? `array of objects: ${Object.keys(schema.items.properties).map(code).join(', ')}`
      : schema
        ? typeOf(schema)
        : 'no body';
  return described ? `${described} (${shape})` : shape;
}

function operationLines(method: string, path: string, op: Operation): string[] {
  const lines = [`### ${method.toUpperCase()} ${path}`, ''];
  if (op.summary) lines.push(`${op.summary}.`.replace(/\.\.$/, '.'), '');
  if (op.description) lines.push(op.description, '');
  const role = op['x-min-role'];
  lines.push(`**Role needed:** ${role ? `${code(role)} or higher` : 'none (no API token)'}`, '');
  const parameters = op.parameters ?? [];
  if (parameters.length > 0) {
    lines.push('**Parameters**', '', '| In | Name | Type | Required | Description |', '| --- | --- | --- | --- | --- |');
    for (const p of parameters) {
      lines.push(
        `| ${p.in} | ${code(p.name)} | ${cell(typeOf(p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(p.description ?? p.schema?.description)} |`,
      );
    }
    lines.push('');
  }
  const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
  if (op.requestBody) lines.push('**Request body** (JSON)', '', ...bodyLines(body), '');
  const responses = Object.entries(op.responses ?? {}).sort(([a], [b]) => a.localeCompare(b));
  lines.push('**Responses**', '', '| Status | Meaning |', '| --- | --- |');
  for (const [status, response] of responses) lines.push(`| ${status} | ${cell(responseText(status, response))} |`);
  lines.push('');
  return lines;
}

/**
 * docs/api.md from the OpenAPI document: one section per tag (in the document's order), one
 * entry per route with the role it needs, its parameters, body fields and responses.
 */
export function renderApiDocs(document: OpenApiDocument): string {
  const byTag = new Map<string, string[][]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationLines(method, path, op)]);
    }
  }
  const lines = [
    '<!-- Generated from the OpenAPI document by `npm run docs:api`: edit the route schemas, not this file. -->',
    '',
    `# ${document.info.title}`,
    '',
    document.info.description ?? '',
    '',
    'The running server serves this document at `/api/openapi.json` and browses it at `/api/docs`.',
    'Error codes are listed in [errors.md](errors.md).',
    '',
    '## Contents',
    '',
    ...[...byTag.keys()].map(
      (tag) =>
        `- [${tag}](#${tag
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-')})`,
    ),
    '',
  ];
  for (const [tag, operations] of byTag) lines.push(`## ${tag}`, '', ...operations.flat());
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
