import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONNECTION_TYPES } from './connection-types.js';
import { allTemplates } from './manifests.js';
import { fillTemplateYaml, templateDocuments, templateGallery, valueAt } from './template-gallery.js';

const templates = allTemplates();

/** Every `connection` a document names: its trigger's and each step's. */
function connectionSpots(document: Record<string, unknown>): string[][] {
  const spots = valueAt(document, ['on', 'connection']) !== undefined ? [['on', 'connection']] : [];
  for (const [id, step] of Object.entries((document.steps ?? {}) as Record<string, unknown>))
    if (valueAt(step, ['with', 'connection']) !== undefined) spots.push(['steps', id, 'with', 'connection']);
  return spots;
}

describe('the blanks each ready-made reaction declares', () => {
  it.each(templates.map((t) => [t.name, t] as const))('%s: every blank points at a string in its documents', (_name, template) => {
    const documents = templateDocuments(template);
    expect(new Set(template.blanks.map((b) => b.id)).size).toBe(template.blanks.length);
    for (const blank of template.blanks) {
      expect(blank.at.length, blank.id).toBeGreaterThan(0);
      const values = blank.at.map((at) => valueAt(documents[at.document], at.path));
      for (const value of values) expect(typeof value, `${blank.id} at ${JSON.stringify(blank.at)}`).toBe('string');
      // One blank, one value: its spots hold the same one, which is the default the gallery shows.
      expect(new Set(values).size, blank.id).toBe(1);
      // A secret is named by the user under Settings and stays a placeholder; it is never a blank.
      expect(String(values[0])).not.toContain('secrets.');
    }
  });

  it.each(templates.map((t) => [t.name, t] as const))(
    '%s: every connection it names is a blank, with a picker that exists',
    (_name, template) => {
      const documents = templateDocuments(template);
      const covered = new Set(template.blanks.flatMap((b) => b.at.map((at) => `${at.document}:${at.path.join('.')}`)));
      documents.forEach((document, index) => {
        for (const path of connectionSpots(document)) expect(covered, `${index}:${path.join('.')}`).toContain(`${index}:${path.join('.')}`);
      });
      for (const { picker, id } of template.blanks) {
        if (picker.kind === 'connection')
          expect(
            CONNECTION_TYPES.map((t) => t.type),
            id,
          ).toContain(picker.type);
        if (picker.kind === 'resource') {
          const source = template.blanks.find((b) => b.id === picker.connectionBlank);
          expect(source?.picker.kind, id).toBe('connection');
          const type = CONNECTION_TYPES.find((t) => source?.picker.kind === 'connection' && t.type === source.picker.type);
          expect(type?.resources?.kinds ?? [], id).toContain(picker.resource);
        }
      }
    },
  );

  it('gives the gallery each template with its documents, defaults and the connection types it needs', () => {
    const promote = templateGallery().find((t) => t.name === 'octopus-staging-to-production')!;
    expect(promote).toMatchObject({ provider: 'octopus', providerTitle: 'Octopus Deploy', needs: ['octopus'] });
    expect(promote.documents).toHaveLength(1);
    expect(promote.blanks.map((b) => [b.id, b.default])).toEqual([
      ['connection', 'prod'],
      ['from', 'Staging'],
      ['to', 'Production'],
    ]);
    expect(templateGallery().find((t) => t.name === 'pagerduty-on-deploy-failure')!.documents).toHaveLength(2);
  });
});

describe('filling a template in for `reactions init --set`', () => {
  const promote = templates.find((t) => t.name === 'octopus-staging-to-production')!;

  it('sets the value at every spot of a blank and keeps the comments', () => {
    const yaml = fillTemplateYaml(promote, { connection: 'octo', to: 'Live' });
    const document = parseAllDocuments(yaml)[0]!.toJS() as Record<string, unknown>;
    expect(valueAt(document, ['on', 'connection'])).toBe('octo');
    expect(valueAt(document, ['steps', 'promote', 'with', 'connection'])).toBe('octo');
    expect(valueAt(document, ['steps', 'promote', 'with', 'environment'])).toBe('Live');
    expect(valueAt(document, ['on', 'environment'])).toBe('Staging');
    expect(yaml).toContain('# your Octopus connection');
  });

  it('fills every document of a template that holds several', () => {
    const pagerduty = templates.find((t) => t.name === 'pagerduty-on-deploy-failure')!;
    const documents = parseAllDocuments(fillTemplateYaml(pagerduty, { connection: 'pd-main' })).map((d) => d.toJS());
    expect(documents.map((d) => valueAt(d, ['steps', 'page', 'with', 'connection']))).toEqual(['pd-main', 'pd-main']);
  });

  it('keeps a value that looks like YAML a plain string, and adds nothing to the document', () => {
    const value = 'x\nsteps: { evil: { uses: script } } # "quoted"';
    const document = parseAllDocuments(fillTemplateYaml(promote, { connection: value }))[0]!.toJS() as Record<string, unknown>;
    expect(valueAt(document, ['on', 'connection'])).toBe(value);
    expect(Object.keys(document.steps as object)).toEqual(['promote']);
  });

  it('refuses a blank the template does not have, naming the ones it has', () => {
    expect(() => fillTemplateYaml(promote, { channel: '#x' })).toThrow(
      'octopus-staging-to-production has no blank channel (its blanks: connection, from, to)',
    );
  });
});
