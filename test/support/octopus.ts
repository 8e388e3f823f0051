import { reconcileNow } from '../../src/integrations/octopus/index.js';
import { startOctopusSim } from '../../src/simulators/octopus/index.js';
import type { OctopusSim, OctopusSimOptions } from '../../src/simulators/octopus/index.js';
import type { DialectName } from './databases.js';
import type { EngineAppOptions, EngineTestApp } from './runtime.js';
import { slowStepSaid, startEngineApp } from './runtime.js';
import { eventually } from './sink.js';

export interface ConnectionBody {
  id: string;
  name: string;
  status: string;
  error: string | null;
  space: { id: string; name: string } | null;
  version: string | null;
  webhookUrl: string;
  subscription: {
    state: 'ready' | 'pending' | 'error' | 'none';
    id: string | null;
    categories: string[];
    lastReconciledAt: string | null;
    error: string | null;
  } | null;
  config: Record<string, unknown>;
}

export interface SimSubscription {
  Id: string;
  Name: string;
  IsDisabled: boolean;
  EventNotificationSubscription: {
    Filter: Record<string, string[]>;
    WebhookURI: string;
    WebhookHeaderKey: string;
    WebhookHeaderValue: unknown;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface OctopusTestBed {
  sim: OctopusSim;
  t: EngineTestApp;
  /** Connects the stand-in as `name` (admin) and returns the connection; fails the test on anything but 201. */
  connect(name?: string, config?: Record<string, unknown>, apiKey?: string): Promise<ConnectionBody>;
  /** The stand-in's subscriptions in a space (default Spaces-1), read through its API. */
  subscriptions(spaceId?: string): Promise<SimSubscription[]>;
  /** Resolves once the connection's subscription exists with exactly these categories. */
  subscriptionWith(categories: string[], spaceId?: string): Promise<SimSubscription>;
  /** Runs the subscription reconciler now and waits for it. */
  runtimeReconcile(): Promise<void>;
  close(): Promise<void>;
}

/** The real app and engine listening on 127.0.0.1, and an Octopus stand-in delivering to it. */
export async function octopusTestBed(
  dialect: DialectName,
  options: { sim?: OctopusSimOptions; app?: EngineAppOptions } = {},
): Promise<OctopusTestBed> {
  const sim = await startOctopusSim(options.sim);
  const t = await startEngineApp(dialect, { listen: true, ...options.app });
  const simGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, { headers: { 'x-octopus-apikey': sim.apiKey } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const bed: OctopusTestBed = {
    sim,
    t,
    async connect(name = 'prod', config = {}, apiKey = sim.apiKey) {
      const res = await t.api({
        method: 'POST',
        url: '/api/v1/connections',
        payload: { type: 'octopus', name, config: { serverUrl: sim.url, ...config }, secrets: { apiKey } },
      });
      if (res.statusCode !== 201) throw new Error(`connect: ${res.statusCode} ${res.body}`);
      return res.json<ConnectionBody>();
    },
    subscriptions: (spaceId = 'Spaces-1') => simGet<SimSubscription[]>(`/api/${spaceId}/subscriptions/all`),
    subscriptionWith(categories, spaceId) {
      const want = JSON.stringify([...categories].sort());
      return eventually(
        async () => {
          const subs = await bed.subscriptions(spaceId);
          const mine = subs.filter((s) => s.Name.startsWith('Shipline '));
          if (mine.length !== 1) return undefined;
          const have = JSON.stringify([...mine[0]!.EventNotificationSubscription.Filter.EventCategories!].sort());
          return have === want ? mine[0] : undefined;
        },
        10_000,
        `a subscription with ${want}`,
      );
    },
    runtimeReconcile: () => reconcileNow(t.runtime.host),
    async close() {
      await t.close();
      await slowStepSaid('the Octopus stand-in close', () => sim.close());
    },
  };
  return bed;
}

/** Deploys a release through the stand-in's own API (as a person in Octopus would); ids of what it created. */
export async function simDeploy(
  sim: OctopusSim,
  project: string,
  version: string,
  environment: string,
  spaceId = 'Spaces-1',
): Promise<{ deploymentId: string; taskId: string; releaseId: string }> {
  const headers = { 'x-octopus-apikey': sim.apiKey, 'content-type': 'application/json' };
  const get = async <T>(path: string) => (await (await fetch(`${sim.url}/api/${spaceId}${path}`, { headers })).json()) as T;
  const projects = await get<Array<{ Id: string; Name: string }>>('/projects/all');
  const environments = await get<Array<{ Id: string; Name: string }>>('/environments/all');
  const projectId = projects.find((p) => p.Name === project)!.Id;
  const release = await get<{ Id: string }>(`/projects/${projectId}/releases/${version}`);
  const res = await fetch(`${sim.url}/api/${spaceId}/deployments`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ReleaseId: release.Id, EnvironmentId: environments.find((e) => e.Name === environment)!.Id }),
  });
  if (res.status !== 201) throw new Error(`deploy: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { Id: string; TaskId: string };
  return { deploymentId: created.Id, taskId: created.TaskId, releaseId: release.Id };
}
