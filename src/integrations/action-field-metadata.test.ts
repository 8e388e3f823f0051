import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { builtinActions } from '../actions/index.js';
import type { Action } from '../engine/action.js';
import { CONNECTION_TYPES } from './connection-types.js';

type Field = Record<string, unknown>;
const fields = (schema: TSchema | Field): Array<[string, Field]> =>
  Object.entries((schema as { properties?: Record<string, Field> }).properties ?? {});

/** What the step form shows as sub-fields: an object with declared properties (a free-form map is one input). */
const rendersAsFields = (field: Field) =>
  field.type === 'object' && field.properties !== undefined && field.patternProperties === undefined;

/** Every field the step form renders, with its path: the config's fields and those of the objects among them. */
function formFields(schema: TSchema | Field, prefix = ''): Array<[string, Field]> {
  return fields(schema).flatMap(([name, field]) => [
    [`${prefix}${name}`, field] as [string, Field],
    ...(rendersAsFields(field) ? formFields(field, `${prefix}${name}.`) : []),
  ]);
}

function untitledFields(action: Action): string[] {
  return formFields(action.config)
    .filter(([, field]) => typeof field.title !== 'string' || field.title.trim() === '')
    .map(([path]) => path);
}

const actions = [...builtinActions({ scriptsEnabled: true }), ...CONNECTION_TYPES.flatMap((type) => type.actions)];

/** The step form labels each action field with its declared title; the key-derived label is only for schemas that declare none. */
describe('action config fields declare their UI metadata', () => {
  it('covers the built-in actions and every connection type with actions', () => {
    expect(actions.map((a) => a.name)).toEqual(
      expect.arrayContaining(['http.request', 'script', 'approval', 'wait', 'emit', 'deploy.record']),
    );
    for (const type of CONNECTION_TYPES)
      for (const action of type.actions) expect(formFields(action.config).length, action.name).toBeGreaterThan(0);
  });

  it.each(actions.map((a) => [a.name, a] as const))('%s: every field the form renders has a title', (_, action) => {
    expect(untitledFields(action)).toEqual([]);
    for (const [path, field] of formFields(action.config)) {
      if (field.placeholder !== undefined) expect(typeof field.placeholder, `${action.name}.${path}.placeholder`).toBe('string');
      if (field.examples !== undefined) expect(Array.isArray(field.examples), `${action.name}.${path}.examples`).toBe(true);
      if (field.sensitive !== undefined) expect(typeof field.sensitive, `${action.name}.${path}.sensitive`).toBe('boolean');
    }
  });

  it('notices a field whose title is removed', () => {
    const [action] = actions;
    const [name, field] = fields(action!.config)[0]!;
    const untitled = { ...field };
    delete untitled.title;
    const schema = action!.config as TSchema & { properties: Record<string, Field> };
    const config = { ...schema, properties: { ...schema.properties, [name]: untitled } } as TSchema;
    expect(untitledFields({ ...action!, config } as Action)).toEqual([name]);
  });
});
