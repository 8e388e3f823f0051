import type { TemplateBlank, TemplateSpot } from './connection-type.js';

/**
 * Short ways to declare a template's blanks. A blank names key paths in the parsed documents, so
 * filling one sets values in the structure (never a text replace over the YAML).
 */

/** A key path in the template's first (or only) document. */
export const spot = (...path: string[]): TemplateSpot => ({ document: 0, path });

/** A key path in document `document` of a template holding several (`---`-separated). */
export const spotIn = (document: number, ...path: string[]): TemplateSpot => ({ document, path });

/** The connection of `type` a template's steps (and trigger) use, picked from the connections of that type. */
export function connectionBlank(type: string, title: string, ...at: TemplateSpot[]): TemplateBlank {
  return { id: 'connection', label: `${title} connection`, picker: { kind: 'connection', type }, at };
}

/** Free text (a channel, an event type): no connection lists it. */
export function textBlank(id: string, label: string, hint: string, ...at: TemplateSpot[]): TemplateBlank {
  return { id, label, hint, picker: { kind: 'text' }, at };
}

/** An item of `resource` the connection in the `connection` blank lists (Octopus projects, environments). */
export function resourceBlank(id: string, resource: string, label: string, ...at: TemplateSpot[]): TemplateBlank {
  return { id, label, picker: { kind: 'resource', resource, connectionBlank: 'connection' }, at };
}
