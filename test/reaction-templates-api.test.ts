import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

// GET /api/v1/reaction-templates, as the web UI's gallery uses it: read the templates and their
// blanks, set each blank's value at its spots in the documents, and PUT the documents.

interface Blank {
  id: string;
  label: string;
  picker: { kind: string; type?: string; resource?: string; connectionBlank?: string };
  at: Array<{ document: number; path: string[] }>;
  default: string;
}
interface Template {
  name: string;
  provider: string;
  needs: string[];
  yaml: string;
  documents: Array<Record<string, unknown>>;
  blanks: Blank[];
}

/** A copy of `document` with `value` at `path` (what the gallery does with a blank). */
function setAt(document: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const [key, ...rest] = path;
  const child = (document[key!] ?? {}) as Record<string, unknown>;
  return { ...document, [key!]: rest.length === 0 ? value : setAt(child, rest, value) };
}

describe.each(DIALECTS)('GET /api/v1/reaction-templates on %s', (dialect) => {
  let t: EngineTestApp;
  beforeAll(async () => {
    t = await startEngineApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async () => {
    const res = await t.api({ method: 'GET', url: '/api/v1/reaction-templates', role: 'read' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Template[] }>().items;
  };

  it('lists every template to the read role, with its documents and its blanks', async () => {
    const items = await list();
    expect(items.length).toBeGreaterThanOrEqual(15);
    for (const template of items) expect(template.documents).toEqual(parseAllDocuments(template.yaml).map((d) => d.toJS()));
    const promote = items.find((x) => x.name === 'octopus-staging-to-production')!;
    expect(promote).toMatchObject({ provider: 'octopus', needs: ['octopus'] });
    expect(promote.blanks).toEqual([
      {
        id: 'connection',
        label: 'Octopus Deploy connection',
        picker: { kind: 'connection', type: 'octopus' },
        at: [
          { document: 0, path: ['on', 'connection'] },
          { document: 0, path: ['steps', 'promote', 'with', 'connection'] },
        ],
        default: 'prod',
      },
      expect.objectContaining({ id: 'from', picker: { kind: 'resource', resource: 'environments', connectionBlank: 'connection' } }),
      expect.objectContaining({ id: 'to', default: 'Production' }),
    ]);
    const slack = items.find((x) => x.name === 'slack-deploy-progress')!;
    expect(slack.blanks.map((b) => [b.id, b.picker.kind, b.default])).toEqual([
      ['connection', 'connection', 'slack'],
      ['channel', 'text', '#deploys'],
    ]);
  });

  it('refuses a caller without a token, in the error catalog', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/reaction-templates' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.token_missing');
  });

  it('gives documents that, once filled in, apply as reactions with the chosen values', async () => {
    const template = (await list()).find((x) => x.name === 'pagerduty-resolve-on-success')!;
    const values: Record<string, string> = { connection: 'pd-main' };
    let documents = template.documents;
    for (const blank of template.blanks)
      for (const at of blank.at) documents = documents.map((d, i) => (i === at.document ? setAt(d, at.path, values[blank.id]!) : d));
    for (const document of documents) {
      const put = await t.api({ method: 'PUT', url: `/api/v1/reactions/${String(document.name)}`, role: 'write', payload: document });
      expect(put.statusCode, put.body).toBe(201);
    }
    for (const name of ['pagerduty-resolve-on-success', 'pagerduty-resolve-on-octopus-success']) {
      const stored = (await t.api({ method: 'GET', url: `/api/v1/reactions/${name}` })).json<{
        document: { steps: { resolve: { with: Record<string, unknown> } } };
      }>();
      expect(stored.document.steps.resolve.with).toEqual({ connection: 'pd-main', action: 'resolve' });
    }
  });
});
