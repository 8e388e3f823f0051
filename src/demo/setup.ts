import { fileURLToPath } from 'node:url';
import type { ApiClient } from '../cli/client.js';
import { apiPath } from '../cli/client.js';
import { readDocuments } from '../cli/reactions.js';

/**
 * What a newcomer would otherwise do by hand, done through Shipline's REST API with the admin
 * token: a Slack connection (the sink), the Octopus connection, services, one deploy endpoint
 * per fake pipeline, and the demo reactions from examples/demo/reactions/.
 */

/** examples/demo/ of this checkout; the same path from src/demo/ and dist/demo/. */
export const DEMO_EXAMPLES = fileURLToPath(new URL('../../examples/demo/', import.meta.url));

/** The services the demo knows; the Octopus projects land on the first two by name or slug. */
export const DEMO_SERVICES = [
  { name: 'storefront', description: 'The shop front end (Octopus project Storefront)', owner: 'web' },
  { name: 'payments', description: 'Card payments (Octopus project Payments API, slug payments)', owner: 'payments' },
  { name: 'search', description: 'Product search', owner: 'web' },
  { name: 'notifications', description: 'Emails and push notifications', owner: 'platform' },
];

export const PIPELINES = ['github-actions', 'gitlab-ci', 'jenkins'] as const;
export type Pipeline = (typeof PIPELINES)[number];

interface ConnectionBody {
  name: string;
  status: string;
  error: string | null;
  subscription: { id: string | null; categories: string[]; error: string | null } | null;
}

export interface DemoSetup {
  /** Each pipeline's deploy endpoint URL (the URL is the credential). */
  endpoints: Record<Pipeline, string>;
  reactions: string[];
}

/** Creates the connections, services, endpoints and reactions; fails if a connection is not ready. */
export async function setUpDemo(
  api: ApiClient,
  links: { slackWebhookUrl: string; octopusUrl: string; octopusApiKey: string },
): Promise<DemoSetup> {
  const slack = await api.post<ConnectionBody>(apiPath('connections'), {
    type: 'slack',
    name: 'slack',
    config: {},
    secrets: { webhookUrl: links.slackWebhookUrl },
  });
  if (slack.status !== 'ready') throw new Error(`the Slack connection is ${slack.status}: ${slack.error ?? ''}`);
  const octopus = await api.post<ConnectionBody>(apiPath('connections'), {
    type: 'octopus',
    name: 'octopus',
    config: { serverUrl: links.octopusUrl },
    secrets: { apiKey: links.octopusApiKey },
  });
  if (octopus.status !== 'ready') throw new Error(`the Octopus connection is ${octopus.status}: ${octopus.error ?? ''}`);

  for (const service of DEMO_SERVICES) await api.post(apiPath('services'), service);

  const endpoints = {} as Record<Pipeline, string>;
  for (const pipeline of PIPELINES) {
    endpoints[pipeline] = (await api.post<{ url: string }>(apiPath('deploy-endpoints'), { name: pipeline })).url;
  }

  const reactions: string[] = [];
  for (const { document } of await readDocuments(`${DEMO_EXAMPLES}reactions`)) {
    const name = document.name as string;
    await api.put(apiPath('reactions', name), document);
    reactions.push(name);
  }
  return { endpoints, reactions };
}

/**
 * Resolves once Shipline keeps an Octopus subscription delivering the deployment results: events
 * from deployments made before it exists would never arrive. The reconciler acts within about
 * two seconds of the reactions being applied.
 */
export async function waitForSubscription(api: ApiClient, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connection = await api.get<ConnectionBody>(apiPath('connections', 'octopus'));
    const categories = connection.subscription?.categories ?? [];
    if (connection.subscription?.id && categories.includes('DeploymentSucceeded') && categories.includes('DeploymentFailed')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
