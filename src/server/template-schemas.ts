import { Type } from 'typebox';

// GET /api/v1/reaction-templates: the ready-made reactions, with what to fill in and how.

const TemplatePicker = Type.Union(
  [
    Type.Object({
      kind: Type.Literal('connection'),
      type: Type.String({ description: 'The connection type to pick a connection of (GET /api/v1/connections)' }),
    }),
    Type.Object({
      kind: Type.Literal('resource'),
      resource: Type.String({ description: 'The resource kind to list (GET /api/v1/connections/:name/resources/:kind)' }),
      connectionBlank: Type.String({ description: 'The blank whose value is the connection to list it from' }),
    }),
    Type.Object({ kind: Type.Literal('text') }),
  ],
  { description: 'How the value is picked: a connection of a type, a resource a connection lists, or free text' },
);

const TemplateSpot = Type.Object({
  document: Type.Integer({ minimum: 0, description: 'Which of the documents (0 for the first)' }),
  path: Type.Array(Type.String(), { description: 'The key path in that document, e.g. ["steps", "notify", "with", "channel"]' }),
});

const TemplateBlank = Type.Object({
  id: Type.String({ description: 'Unique in the template; `shipline reactions init <template> --set <id>=<value>`' }),
  label: Type.String(),
  hint: Type.Optional(Type.String()),
  picker: TemplatePicker,
  at: Type.Array(TemplateSpot, { description: 'Every place the value goes' }),
  default: Type.String({ description: "The template's own value, a placeholder to replace" }),
});

export const ReactionTemplateView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  provider: Type.String({ description: 'The connection type that declares it' }),
  providerTitle: Type.String(),
  needs: Type.Array(Type.String(), { description: 'The connection types it needs a connection of' }),
  yaml: Type.String({ description: 'The template as YAML, with its comments (what `shipline reactions init` writes)' }),
  documents: Type.Array(Type.Unknown(), { description: 'Its reaction documents, parsed from the YAML (most hold one)' }),
  blanks: Type.Array(TemplateBlank, { description: 'What to fill in before applying it; secret names are never blanks' }),
});
