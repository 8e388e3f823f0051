// Filling in a ready-made reaction (GET /api/v1/reaction-templates): each blank's value goes at
// every spot the template declares, in the parsed documents, so a value is always one string in
// the structure and never text spliced into YAML.
import type { Static } from '@fastify/type-provider-typebox';
import type * as TemplateSchemas from '../../../../src/server/template-schemas.js';
import { isObject, setIn } from './document';
import type { Doc } from './document';
import type { Picker } from './pickers';
import type { ConnectionSummary } from './types';

export type ReactionTemplate = Static<typeof TemplateSchemas.ReactionTemplateView>;
export type TemplateBlank = ReactionTemplate['blanks'][number];

/** A value a picker can list from: not empty and not a `{{ template }}`. */
const usable = (value: string | undefined): value is string => !!value && value.trim() !== '' && !value.includes('{{');

/** The blanks' starting values: a connection blank takes the only connection of its type, if there is one; others their default. */
export function startingValues(template: ReactionTemplate, connections: ConnectionSummary[]): Record<string, string> {
  return Object.fromEntries(
    template.blanks.map((blank) => {
      if (blank.picker.kind !== 'connection') return [blank.id, blank.default];
      const type = blank.picker.type;
      const fitting = connections.filter((c) => c.type === type);
      return [blank.id, fitting.length === 1 ? fitting[0]!.name : ''];
    }),
  );
}

/** The template's documents with `names` and each blank's value set (a blank left empty keeps the template's placeholder). */
export function fillTemplate(template: ReactionTemplate, values: Record<string, string>, names: string[]): Doc[] {
  let documents = template.documents.map((d, i) => {
    const doc = isObject(d) ? d : {};
    return names[i] !== undefined ? setIn(doc, ['name'], names[i]) : doc;
  });
  for (const blank of template.blanks) {
    const value = values[blank.id];
    if (!value) continue;
    for (const at of blank.at) documents = documents.map((d, i) => (i === at.document ? setIn(d, at.path, value) : d));
  }
  return documents;
}

/** The picker the reaction form would offer for this blank, given the values so far. */
export function pickerForBlank(blank: TemplateBlank, values: Record<string, string>): Picker | null {
  const picker = blank.picker;
  if (picker.kind === 'connection') return { source: 'connections', type: picker.type };
  if (picker.kind === 'text') return null;
  const connection = values[picker.connectionBlank];
  return usable(connection)
    ? { source: 'resources', kind: picker.resource, connection }
    : { source: 'waiting', note: `Choose the connection to pick from its ${picker.resource}.` };
}

/** The connection types the template needs and no connection has yet. */
export function missingConnectionTypes(template: ReactionTemplate, connections: ConnectionSummary[]): string[] {
  return template.needs.filter((type) => !connections.some((c) => c.type === type));
}
