import fs from 'node:fs';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { ConnectionWithSecrets } from '../../store/connections.js';
import type { TestContext, TestContextOptions } from '../test-context.js';
import { createTestContext } from '../test-context.js';

/** Helpers for the Slack and Teams unit tests: fixtures, connections, contexts closed in one place. */

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export const deployRecorded = () => fixture<ShiplineEvent>('deploy-recorded.event.json');
export const octopusFailed = () => fixture<ShiplineEvent>('octopus-deployment-failed.event.json');
export const octopusFinishedOutput = () => fixture<{ type: string; timestamp: string; data: Record<string, unknown> }>('octopus-deployment-finished.output.json');

export function connectionOf(type: string, name: string, config: Record<string, unknown>, secrets: Record<string, string>): ConnectionWithSecrets {
  return { id: `conn-${name}`, name, type, config, secrets, state: {}, endpointId: 'e', createdAt: '', updatedAt: '' };
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
