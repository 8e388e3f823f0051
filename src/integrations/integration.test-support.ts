import fs from 'node:fs';
import { expect } from 'vitest';
import { parseReactionText, validateReaction } from '../core/reactions/document.js';
import type { ReactionSpec } from '../core/reactions/document.js';
import { renderValue } from '../core/reactions/templates.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import type { ConnectionWithSecrets } from '../core/connection.js';
import type { ConnectionType } from './connection-type.js';
import type { TestContext, TestContextOptions } from './action-context.test-support.js';
import { createTestContext } from './action-context.test-support.js';

/** Helpers the integrations' unit tests share: connections, contexts closed in one place, manifest checks. */

/** A stored connection as actions receive it; the id defaults to `conn-<name>`. */
export function connectionOf(
  type: string,
  name: string,
  config: Record<string, unknown>,
  secrets: Record<string, string>,
  id = `conn-${name}`,
): ConnectionWithSecrets {
  return { id, name, type, config, secrets, state: {}, endpointId: 'e', createdAt: '', updatedAt: '' };
}

/** Test contexts that reach 127.0.0.1, each closed by `closeAll` (call it in afterEach/afterAll). */
export function contexts() {
  const open: TestContext[] = [];
  return {
    make(options: TestContextOptions): TestContext {
      const made = createTestContext({ allowHosts: ['127.0.0.1'], ...options });
      open.push(made);
      return made;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((c) => c.close()));
    },
  };
}

/** An event of email/fixtures, which the integrations that report deploys share. */
export function deployFixture(name: 'deploy-recorded-failed.json' | 'octopus-deployment-succeeded.json'): ShiplineEvent {
  return JSON.parse(fs.readFileSync(new URL(`./email/fixtures/${name}`, import.meta.url), 'utf8')) as ShiplineEvent;
}

/** The `deploy.recorded` event of a failed deploy to production. */
export const failedDeploy = (): ShiplineEvent => deployFixture('deploy-recorded-failed.json');

/** The `deploy.failed` event stored beside it: the deploy plus what found the failure. */
export function deployFailed(): ShiplineEvent {
  const recorded = failedDeploy();
  const data = recorded.data as { description: string };
  return { ...recorded, type: 'deploy.failed', data: { ...data, failure: { source: 'custom', reason: data.description, markedBy: null } } };
}

/** Each schema refuses unknown fields and describes every field it has. */
export function expectDescribed(schemas: unknown[]): void {
  for (const schema of schemas) {
    const s = schema as { additionalProperties?: unknown; properties: Record<string, { description?: string }> };
    expect(s.additionalProperties).toBe(false);
    for (const [key, field] of Object.entries(s.properties)) expect(field.description, key).toMatch(/\w{3}/);
  }
}

/** A reaction document, parsed and validated against the connection type's own actions; throws the problems. */
export function validReaction(type: ConnectionType, yaml: string): ReactionSpec {
  const parsed = parseReactionText(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const actions = new Map(type.actions.map((a) => [a.name, { channels: a.channels, config: a.config }]));
  const validation = validateReaction(parsed.documents[0], { actions, secrets: new Set() });
  if (!validation.ok) throw new Error(validation.problems.join('; '));
  return validation.reaction;
}

/** A step's `with` (default the first step's) as it renders for `event`. */
export function renderStep(spec: ReactionSpec, event: ShiplineEvent, step = 0): unknown {
  return renderValue(spec.steps[step]!.with, {
    event,
    data: event.data,
    steps: {},
    secrets: {},
    run: { id: 'r', reaction: spec.name, version: 1 },
  });
}
