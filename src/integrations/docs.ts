import type { IntegrationManifest } from './manifests.js';
import { allEvents } from './manifests.js';

/**
 * docs/integrations/<type>.md, generated from the manifests (`npm run docs:integrations`), so
 * the documentation says what the code accepts; a test fails when a file is out of date.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  pattern?: string;
  title?: string;
  placeholder?: string;
  examples?: unknown[];
  sensitive?: boolean;
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'values'}`;
  if (Array.isArray(schema.type)) return schema.type.join(' \\| ');
  return schema.type ?? 'any';
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Text ending as a sentence does, so the parts after it read apart. */
const sentence = (text: string) => (text === '' || /[.!?)]$/.test(text) ? text : `${text}.`);

/** What a field's row says, from its declarations: title, description, default, examples, masking. */
function meaning(field: JsonSchema): string {
  const examples = field.examples ?? (field.placeholder !== undefined ? [field.placeholder] : []);
  return [
    field.title ? `**${field.title}.**` : '',
    sentence(field.description ?? ''),
    field.default !== undefined ? `Default \`${JSON.stringify(field.default)}\`.` : '',
    examples.length > 0 ? `${examples.length > 1 ? 'Examples' : 'Example'}: ${examples.map((e) => `\`${String(e)}\``).join(', ')}.` : '',
    field.sensitive ? 'Sensitive: masked in forms.' : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function fieldTable(schema: JsonSchema): string {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return '_None._\n';
  const required = new Set(schema.required ?? []);
  const rows = properties.map(([name, field]) => {
    return `| \`${name}\` | ${typeOf(field)} | ${required.has(name) ? 'yes' : 'no'} | ${cell(meaning(field))} |`;
  });
  return ['| Field | Type | Required | Meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

export function renderIntegrationDoc(m: IntegrationManifest): string {
  const out: string[] = [
    `<!-- Generated from src/integrations by \`npm run docs:integrations\`; do not edit by hand. -->`,
    `# ${m.title} (\`${m.type}\`)`,
    '',
    m.description,
    '',
    '## Connection',
    '',
    `\`POST /api/v1/connections {"type": "${m.type}", "name": …, "config": {…}, "secrets": {…}}\` (admin). Secrets are write-only and encrypted at rest; the connection is tested on every change and shows \`status\` (\`ready\` or \`error\` with the provider's message).`,
    '',
    '### Config',
    '',
    fieldTable(m.config as JsonSchema),
    '### Secrets',
    '',
    fieldTable(m.secrets as JsonSchema),
  ];
  if (m.inbound) {
    out.push(
      '### Inbound webhooks',
      '',
      `The provider delivers to \`$SHIPLINE_PUBLIC_URL/hooks/${m.type}/<connection id>\` (the connection's \`webhookUrl\`); events carry the source \`connection:<name>\`, so a reaction can select them with \`on.connection\`.`,
      '',
    );
    if (m.deliveryId) {
      out.push(
        `Repeats are recognised by ${m.deliveryId}: a delivery with one already received (the provider's retry, or a captured request posted again) answers 2xx with \`duplicate: true\` and stores, starts and changes nothing, even when the copies arrive at the same moment.`,
        '',
      );
    }
  }
  if (m.events.length > 0) {
    out.push(
      '## Events',
      '',
      'What its connections emit (source `connection:<name>`); a reaction listens with `on.event` (a type or a glob).',
      '',
    );
    if (m.trigger) out.push("Besides `on.connection`, a reaction's `on` may say:", '', fieldTable(m.trigger as JsonSchema));
    for (const e of m.events)
      out.push(`### \`${e.type}\``, '', e.description, '', 'Example `data`:', '', '```json', JSON.stringify(e.example, null, 2), '```', '');
  }
  out.push('## Actions', '');
  for (const action of m.actions) {
    out.push(
      `### \`${action.name}\``,
      '',
      action.description,
      '',
      `Channels: ${action.channels.map((c) => `\`${c}\``).join(', ')}.`,
      '',
      fieldTable(action.config as JsonSchema),
      'Example output (`steps.<id>.output`):',
      '',
      '```json',
      JSON.stringify(action.exampleOutput, null, 2),
      '```',
      '',
    );
  }
  if (m.scriptVariables.length > 0) {
    out.push(
      '## Script variables',
      '',
      `A \`script\` step that names a connection of this type (\`with: {connections: [<name>]}\`) gets these environment variables for that run; a variable whose setting is empty is unset. Secret ones are redacted from the step's log, outputs and errors. See [Scripts and the host](../reactions.md#scripts-and-the-host).`,
      '',
      '| Variable | Secret | Meaning |',
      '|---|---|---|',
      ...m.scriptVariables.map((v) => `| \`${v.name}\` | ${v.secret ? 'yes' : 'no'} | ${cell(sentence(v.description))} |`),
      '',
    );
  }
  if (m.templates.length > 0) {
    out.push(
      '## Ready-made reactions',
      '',
      "Pick one in the web UI's template gallery (*Reactions → From a template*), or write one with `shipline reactions init <name>` (`--set <blank>=<value>` fills in a blank).",
      '',
    );
    const blanks = (t: (typeof m.templates)[number]) => t.blanks.map((b) => `\`${b.id}\``).join(', ');
    for (const t of m.templates) out.push(`- \`${t.name}\`: ${t.description} (blanks: ${blanks(t)})`);
    out.push('');
  }
  return out.join('\n');
}

/** docs/integrations/events.md: every event a reaction may listen to, Shipline's own and each provider's. */
function renderEvents(events: ReturnType<typeof allEvents>): string {
  const out = [
    '<!-- Generated from src/integrations by `npm run docs:integrations`; do not edit by hand. -->',
    '# Events',
    '',
    "Every event a reaction may listen to (`on.event`, a type or a glob such as `deploy.*`), as `GET /api/v1/event-types` lists them: Shipline's own, then each connection type's (see its page for the options `on` may carry).",
    '',
    '| Event | From | Meaning |',
    '|---|---|---|',
    ...events.map((e) => `| \`${e.type}\` | ${e.provider ? `[${e.provider}](${e.provider}.md)` : 'Shipline'} | ${cell(e.description)} |`),
    '',
  ];
  for (const e of events.filter((x) => x.provider === null))
    out.push(`## \`${e.type}\``, '', e.description, '', 'Example `data`:', '', '```json', JSON.stringify(e.example, null, 2), '```', '');
  return out.join('\n');
}

/** Every generated file: path under docs/integrations → content. */
export function integrationDocs(manifests: IntegrationManifest[], events = allEvents()): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of manifests) files.set(`${m.type}.md`, renderIntegrationDoc(m));
  files.set('events.md', renderEvents(events));
  files.set(
    'README.md',
    [
      '<!-- Generated from src/integrations by `npm run docs:integrations`; do not edit by hand. -->',
      '# Integrations',
      '',
      "The events each one emits, and Shipline's own, are listed in [events.md](events.md).",
      '',
      '| Integration | Type | Actions | Inbound webhooks | Ready-made reactions |',
      '|---|---|---|---|---|',
      ...manifests.map(
        (m) =>
          `| [${m.title}](${m.type}.md) | \`${m.type}\` | ${m.actions.map((a) => `\`${a.name}\``).join(', ')} | ${m.inbound ? 'yes' : 'no'} | ${m.templates.map((t) => `\`${t.name}\``).join(', ') || '—'} |`,
      ),
      '',
    ].join('\n'),
  );
  return files;
}
