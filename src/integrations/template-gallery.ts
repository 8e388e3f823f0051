import { parseReactionText } from '../core/reactions/document.js';
import { yamlLibrary } from '../core/yaml-library.js';
import type { ReactionTemplate, TemplateBlank } from './connection-type.js';
import { integrationManifests } from './manifests.js';

/** A blank as the gallery offers it: with its value in the template, the default. */
export type GalleryBlank = Omit<TemplateBlank, 'at'> & { at: Array<{ document: number; path: string[] }>; default: string };

/** A ready-made reaction as the web UI's gallery shows it (GET /api/v1/reaction-templates). */
export interface GalleryTemplate {
  name: string;
  description: string;
  /** The integration that declares it, and its title. */
  provider: string;
  providerTitle: string;
  /** The connection types it needs a connection of (from its connection blanks). */
  needs: string[];
  yaml: string;
  /** Its reactions, parsed from the YAML (most templates hold one). */
  documents: Array<Record<string, unknown>>;
  blanks: GalleryBlank[];
}

/** The value at `path` in `value`, or undefined. */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object' || Array.isArray(here)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** The template's reactions, parsed as `reactions apply` parses them. Throws on a template that does not parse (a bug the tests catch). */
export function templateDocuments(template: ReactionTemplate): Array<Record<string, unknown>> {
  const parsed = parseReactionText(template.yaml);
  if (!parsed.ok) throw new Error(`template ${template.name} does not parse: ${parsed.problems.join('; ')}`);
  return parsed.documents as Array<Record<string, unknown>>;
}

/** Every template, with its documents parsed and its blanks' defaults: what the gallery offers. */
export function templateGallery(): GalleryTemplate[] {
  return integrationManifests().flatMap((m) =>
    m.templates.map((t) => {
      const documents = templateDocuments(t);
      const blanks = t.blanks.map((b) => {
        const first = b.at[0];
        const value = first ? valueAt(documents[first.document], first.path) : undefined;
        const at = b.at.map((spot) => ({ document: spot.document, path: [...spot.path] }));
        return { ...b, at, default: typeof value === 'string' ? value : '' };
      });
      const needs = [...new Set(t.blanks.flatMap((b) => (b.picker.kind === 'connection' ? [b.picker.type] : [])))];
      return { name: t.name, description: t.description, provider: m.type, providerTitle: m.title, needs, yaml: t.yaml, documents, blanks };
    }),
  );
}

/**
 * The template's YAML with `values` (by blank id) set at each blank's spots, through the YAML
 * document model: comments and layout stay, and a value is always a string scalar (quoted when
 * YAML would read it otherwise), never spliced text. Throws on an unknown blank id.
 */
export function fillTemplateYaml(template: ReactionTemplate, values: Record<string, string>): string {
  const unknown = Object.keys(values).filter((id) => !template.blanks.some((b) => b.id === id));
  if (unknown.length > 0) {
    const known = template.blanks.map((b) => b.id).join(', ') || 'none';
    throw new Error(`${template.name} has no blank ${unknown.join(', ')} (its blanks: ${known})`);
  }
  const documents = yamlLibrary().parseAllDocuments(template.yaml);
  if (!Array.isArray(documents)) return template.yaml;
  for (const blank of template.blanks) {
    const value = values[blank.id];
    if (value === undefined) continue;
    for (const at of blank.at) documents[at.document]?.setIn(at.path, value);
  }
  // No folding of long lines: the untouched parts read as they were written.
  return documents.map((d) => d.toString({ lineWidth: 0 })).join('');
}
