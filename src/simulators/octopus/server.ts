import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { DeliverySettings, SimContext } from './context.js';
import { defaultDeliverySettings } from './context.js';
import { addFault, addOutcome, completeTask, recordCustomEvent, updateDelivery } from './control-ops.js';
import { registerControlRoutes } from './control.js';
import { changeMachineHealth, editDeploymentProcess, registerMachine, removeMachine } from './control-machines.js';
import { machineResource } from './machines.js';
import { registerMachineRoutes } from './routes-machines.js';
import { Delivery } from './delivery.js';
import { Faults } from './faults.js';
import type { FaultRule } from './faults.js';
import type { DeliveryRecord } from './delivery.js';
import { installHttpBehaviour } from './http.js';
import { OutcomeRules } from './outcomes.js';
import type { OutcomeRule } from './outcomes.js';
import { RequestLog } from './request-log.js';
import type { RecordedRequest } from './request-log.js';
import { eventResource } from './resources-activity.js';
import { registerConfigRoutes } from './routes-config.js';
import { registerDeploymentRoutes } from './routes-deployments.js';
import { registerEventRoutes } from './routes-events.js';
import { registerReleaseRoutes } from './routes-releases.js';
import { registerRootRoutes } from './routes-root.js';
import { registerSubscriptionRoutes } from './routes-subscriptions.js';
import { registerTaskRoutes } from './routes-tasks.js';
import { DEFAULT_SEED } from './seed.js';
import type { OctopusSimSeed } from './seed.js';
import { buildState, DEFAULT_API_KEY } from './state.js';
import { TaskRunner } from './tasks.js';
import type { FinalTaskState, HealthStatus, SimState } from './types.js';

export interface OctopusSimOptions {
  /** Port to listen on. Default 0 (an ephemeral port; read it from `url`). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: the stand-in has no real security. */
  host?: string;
  /** The documents to start with. Default: the built-in seed (seed.ts DEFAULT_SEED). */
  seed?: OctopusSimSeed;
  /** An API key accepted besides the seed's `apiKeys`. Default API-SIMULATOR0000000000000000000. */
  apiKey?: string;
  /** How often pending events are delivered; 0 delivers as soon as an event is recorded. Default 0. */
  batchIntervalMs?: number;
  /** Show subscriptions' WebhookHeaderValue as a sensitive value, never in plain. Default false. */
  sensitiveHeaderValues?: boolean;
}

/** A running stand-in. The methods do what the `/_sim` control API does, without HTTP. */
export interface OctopusSim {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what `Client.create({instanceURL})` takes). */
  url: string;
  /** The API key given in the options (or the default one). */
  apiKey: string;
  /** The live model; replaced by reset(), so read it through this property each time. */
  readonly state: SimState;
  requests(method?: string, path?: string): RecordedRequest[];
  deliveries(): DeliveryRecord[];
  addOutcome(rule: OutcomeRule): void;
  /** Makes the next matching API calls fail (a 5xx or a dropped connection); see faults.ts. */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  completeTask(taskId: string, state: FinalTaskState, errorMessage?: string): void;
  setDelivery(patch: Partial<DeliverySettings>): DeliverySettings;
  recordEvent(input: { category: string; message?: string; relatedDocumentIds?: string[]; spaceId?: string }): Record<string, unknown>;
  /** A Tentacle registers (MachineAdded); environments by name or id. Returns the machine as the API shows it. */
  addMachine(input: {
    name: string;
    environments: string[];
    roles?: string[];
    healthStatus?: HealthStatus;
    spaceId?: string;
  }): Record<string, unknown>;
  /** Deletes a machine by id or name (MachineDeleted). */
  deleteMachine(machine: string): void;
  /** A health check's result (MachineHealthy, MachineUnhealthy, ...) when the status changes. */
  setMachineHealth(machine: string, healthStatus: HealthStatus): void;
  /** Someone edits a project's deployment process (a document Modified); project by name, slug or id. */
  modifyDeploymentProcess(project: string, input?: { spaceId?: string; details?: string }): void;
  /** Back to the seed: documents, rules, settings, logs; pending timers and deliveries dropped. */
  reset(): Promise<void>;
  /** Stops listening and leaves no timer or socket behind. Safe to call twice. */
  close(): Promise<void>;
}

function urlOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function buildApp(ctx: SimContext, reset: () => Promise<void>): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
  installHttpBehaviour(app, ctx);
  registerRootRoutes(app, ctx);
  registerConfigRoutes(app, ctx);
  registerReleaseRoutes(app, ctx);
  registerDeploymentRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerMachineRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerSubscriptionRoutes(app, ctx);
  registerControlRoutes(app, ctx, reset);
  return app;
}

/** Starts a local Octopus Deploy stand-in that speaks the REST API documented in octopus.md. */
export async function startOctopusSim(options: OctopusSimOptions = {}): Promise<OctopusSim> {
  const seed = options.seed ?? DEFAULT_SEED;
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const batchIntervalMs = Math.max(0, options.batchIntervalMs ?? 0);
  const sensitive = options.sensitiveHeaderValues ?? false;
  let url = '';
  const ctx: SimContext = {
    state: buildState(seed, apiKey),
    seed,
    settings: defaultDeliverySettings(sensitive),
    outcomes: new OutcomeRules(),
    tasks: new TaskRunner(),
    delivery: undefined as unknown as Delivery,
    log: new RequestLog(),
    faults: new Faults(),
    baseUrl: () => url,
  };
  ctx.delivery = new Delivery(() => ctx, batchIntervalMs);

  const reset = async () => {
    ctx.tasks.stopAll();
    await ctx.delivery.stop();
    ctx.state = buildState(seed, apiKey);
    ctx.outcomes.clear();
    ctx.faults.clear();
    Object.assign(ctx.settings, defaultDeliverySettings(sensitive));
    ctx.log.clear();
    ctx.delivery = new Delivery(() => ctx, batchIntervalMs);
  };

  const app = buildApp(ctx, reset);
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    ctx.tasks.stopAll();
    await ctx.delivery.stop();
    throw err;
  }
  url = urlOf(app.server.address() as AddressInfo);

  let closing: Promise<void> | undefined;
  return {
    url,
    apiKey,
    get state() {
      return ctx.state;
    },
    requests: (method, path) => ctx.log.list(method, path),
    deliveries: () => [...ctx.delivery.records],
    addOutcome: (rule) => void addOutcome(ctx, rule),
    addFault: (rule) => void addFault(ctx, rule),
    clearFaults: () => ctx.faults.clear(),
    completeTask: (taskId, state, errorMessage) =>
      void completeTask(ctx, taskId, { state, ...(errorMessage === undefined ? {} : { errorMessage }) }),
    setDelivery: (patch) => updateDelivery(ctx, patch),
    recordEvent: (input) => eventResource(recordCustomEvent(ctx, input)),
    addMachine: (input) => machineResource(registerMachine(ctx, input)),
    deleteMachine: (machine) => void removeMachine(ctx, machine),
    setMachineHealth: (machine, healthStatus) => void changeMachineHealth(ctx, machine, { healthStatus }),
    modifyDeploymentProcess: (project, input) => void editDeploymentProcess(ctx, project, input ?? {}),
    reset,
    close: () => {
      closing ??= (async () => {
        // Stop taking requests first, so that none starts a timer after the timers are cleared.
        await app.close();
        ctx.tasks.stopAll();
        await ctx.delivery.stop();
      })();
      return closing;
    },
  };
}
