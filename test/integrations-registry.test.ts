import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { integrationDocs } from '../src/integrations/docs.js';
import { builtinActions } from '../src/actions/index.js';
import type { Action } from '../src/engine/action.js';
import { allEvents, allTemplates, integrationManifests } from '../src/integrations/manifests.js';

/** Every action Shipline ships: the built-ins and each integration's. */
function allActions(): Action[] {
  return [...builtinActions({ scriptsEnabled: false }), ...integrationManifests().flatMap((m) => m.actions)];
}
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

const docsDir = new URL('../docs/integrations/', import.meta.url);

describe('the integration registry', () => {
  const manifests = integrationManifests();
  const docs = integrationDocs(manifests);

  it.each(allActions().map((a) => [a.name, a] as const))(
    '%s has a dotted name, a schema, channels with failed, an example output and documentation',
    (name, action) => {
      expect(name).toMatch(/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)*$/);
      expect(action.description.length).toBeGreaterThan(10);
      expect((action.config as { type?: string }).type).toBe('object');
      expect(action.channels).toContain('failed');
      expect(action.exampleOutput).toBeDefined();
      const documented =
        [...docs.values()].some((text) => text.includes(`### \`${name}\``)) ||
        fs.readFileSync(new URL('../docs/reactions.md', import.meta.url), 'utf8').includes(`| \`${name}\` |`);
      expect(documented).toBe(true);
    },
  );

  it.each(allEvents().map((e) => [e.type, e] as const))(
    'event %s is declared once, described, with an example, and documented',
    (type, e) => {
      expect(allEvents().filter((x) => x.type === type)).toHaveLength(1);
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.example).toBeTypeOf('object');
      if (e.provider) expect(type.startsWith(`${e.provider}.`)).toBe(true);
      expect(docs.get('events.md')).toContain(`| \`${type}\` |`);
    },
  );

  it("names every action uniquely, each integration's under its own prefix", () => {
    const names = allActions().map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of manifests) for (const a of m.actions) expect(a.name.startsWith(`${m.type}.`)).toBe(true);
  });

  it('has docs/integrations up to date with the manifests (npm run docs:integrations rewrites them)', () => {
    const onDisk = new Set(fs.readdirSync(docsDir));
    expect([...onDisk].sort()).toEqual([...docs.keys()].sort());
    for (const [name, content] of docs)
      expect(fs.readFileSync(new URL(name, docsDir), 'utf8'), `docs/integrations/${name} is stale: run npm run docs:integrations`).toBe(
        content,
      );
  });
});

describe('ready-made reactions', () => {
  let t: EngineTestApp;
  const templates = allTemplates();

  beforeAll(async () => {
    t = await startEngineApp('sqlite');
    // Templates name secrets the user creates; make each one exist.
    const secrets = new Set(templates.flatMap((x) => [...x.yaml.matchAll(/secrets\.([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!)));
    for (const name of secrets) await t.api({ method: 'PUT', url: `/api/v1/secrets/${name}`, payload: { value: 'template-value' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('has unique names', () => {
    expect(new Set(templates.map((x) => x.name)).size).toBe(templates.length);
  });

  it.each(templates.map((x) => [x.name, x] as const))(
    '%s is valid (each of its documents) and renders in a dry run',
    async (name, template) => {
      const documents = parseAllDocuments(template.yaml).map((d) => d.toJSON() as { name: string; on: { event: string } });
      expect(documents[0]!.name).toBe(name);
      for (const document of documents) {
        const put = await t.api({ method: 'PUT', url: `/api/v1/reactions/${document.name}`, payload: document });
        expect(put.statusCode, put.body).toBe(201);
        const type = document.on.event.replace(/\*/g, 'succeeded').replace(/\?/g, 'x');
        const dry = await t.api({
          method: 'POST',
          url: `/api/v1/reactions/${document.name}/test`,
          payload: { event: { type, data: sampleData(type) } },
        });
        expect(dry.statusCode, dry.body).toBe(200);
        const result = dry.json<{ steps: Array<{ id: string; error: string | null }> }>();
        for (const step of result.steps) expect(step.error, `${document.name}: step ${step.id}`).toBeNull();
      }
    },
  );
});

/** Event data with every field templates commonly read, for dry runs. */
function sampleData(type: string): Record<string, unknown> {
  const deploy = {
    id: 'd1',
    service: { id: 's1', name: 'checkout' },
    serviceAlias: 'checkout',
    environment: 'Production',
    description: 'Deploy #12',
    deployedAt: '2026-01-01T00:00:00.000Z',
    deployUrl: 'https://ci.example/runs/12',
    deployNumber: '12',
    dedupId: null,
    deployer: { id: null, email: 'dev@example.com', name: 'Dev' },
    commit: {
      sha: 'abc123',
      message: 'Fix',
      branch: 'main',
      date: null,
      committer_name: null,
      committer_email: null,
      author_name: null,
      author_email: null,
      authoring_date: null,
    },
    status: 'failed',
    source: 'custom',
    receivedAt: '2026-01-01T00:00:00.000Z',
    endpoint: 'github-actions',
  };
  const octopus = {
    eventType: 'DeploymentFailed',
    category: 'DeploymentFailed',
    timestamp: '2026-01-01T00:00:00.000Z',
    occurredAt: '2026-01-01T00:00:00.000Z',
    message: 'Deploy to Production failed',
    projectId: 'Projects-1',
    environmentId: 'Environments-3',
    releaseId: 'Releases-7',
    deploymentId: 'Deployments-9',
    serverUri: 'https://octopus.example',
    taskId: 'ServerTasks-9',
    spaceId: 'Spaces-1',
    projectName: 'Web',
    environmentName: 'Production',
    releaseVersion: '1.0.1',
  };
  if (type.startsWith('octopus.')) return octopus;
  if (type === 'deploy.failed') return { ...deploy, failure: { source: 'custom', reason: 'Deploy #12 failed', markedBy: null } };
  if (type.startsWith('deploy.')) return deploy;
  return {
    ...deploy,
    ...octopus,
    body: { package: 'web-app', version: '1.2.3' },
    incidentId: 'P1',
    title: 'Checkout down',
    service: { id: 'S1', name: 'checkout' },
    repository: 'acme/web',
    payload: {},
  };
}
