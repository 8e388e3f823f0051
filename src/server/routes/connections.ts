import { Type } from 'typebox';
import type { ConnectionService } from '../../connections/service.js';
import { CONNECTION_TYPES } from '../../integrations/connection-types.js';
import type { Connection } from '../../core/connection.js';
import type { Store } from '../../store/index.js';
import {
  ConnectionCreate,
  DeclaredEventView,
  ConnectionPatch,
  ConnectionProbeBody,
  ConnectionProbeView,
  ConnectionTypeView,
  ConnectionView,
  Resource,
} from '../connection-schemas.js';
import { allEvents, integrationManifests } from '../../integrations/manifests.js';
import { ErrorResponses, List } from '../schemas.js';
import type { App } from './types.js';
import { trimTrailingSlashes } from '../../core/urls.js';

const tags = ['connections'];
/** Every kind any connection type's pickers list (each type then says which are its own). */
const RESOURCE_KINDS = [...new Set(CONNECTION_TYPES.flatMap((t) => t.resources?.kinds ?? []))];
const params = Type.Object({ name: Type.String() });

/** What Shipline learned of the other side, as connection types keep it (status, error, the test's details; a subscription). */
interface KnownState {
  status?: string;
  error?: string | null;
  space?: { id: string; name: string };
  version?: string;
  checkedAt?: string;
  contacted?: boolean;
  details?: Record<string, unknown> | null;
  subscription?: {
    id: string | null;
    categories: string[];
    lastReconciledAt: string | null;
    error: string | null;
    warning?: string | null;
  };
}

/** The types whose connections Shipline keeps a subscription for at the provider. */
const SUBSCRIBING = new Set(CONNECTION_TYPES.filter((t) => t.keepsSubscription).map((t) => t.type));

/**
 * The subscription Shipline keeps in the connected system (Octopus), with its state in one word:
 * `pending` until the reconciler first ran for it, `error` when it last failed, `none` when nothing
 * needs the connection's events, else `ready`. Null for connection types without one.
 */
function subscriptionOf(connection: Connection) {
  const subscription = (connection.state as KnownState).subscription;
  if (!subscription) {
    return SUBSCRIBING.has(connection.type)
      ? { state: 'pending' as const, id: null, categories: [], lastReconciledAt: null, error: null }
      : null;
  }
  const state = subscription.error ? ('error' as const) : subscription.id ? ('ready' as const) : ('none' as const);
  return { state, ...subscription };
}

/** A connection as people see it: config, what Shipline learned, the URL Octopus delivers to; never a secret. */
export function viewOf(connection: Connection, publicUrl: string, secretsSet: string[] = []) {
  const state = connection.state as KnownState;
  return {
    id: connection.id,
    name: connection.name,
    type: connection.type,
    config: connection.config,
    status: state.status ?? 'unknown',
    error: state.error ?? null,
    space: state.space ?? null,
    version: state.version ?? null,
    checkedAt: state.checkedAt ?? null,
    contacted: state.checkedAt ? state.contacted !== false : null,
    details: state.details ?? null,
    subscription: subscriptionOf(connection),
    webhookUrl: `${trimTrailingSlashes(publicUrl)}/hooks/${connection.type}/${connection.id}`,
    secretsSet,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}

/** Connections to other systems (Octopus Deploy): admins manage them, anyone may read and pick resources. */
export function connectionRoutes(store: Store, connections: ConnectionService, config: { publicUrl: string }) {
  // Secret names come from decrypting the connection, so only views pay for them.
  const view = async (c: Connection) => viewOf(c, config.publicUrl, await store.connections.secretNames(c.id));
  return async (app: App) => {
    app.post(
      '/connections',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Connect a system (tests it and sets up its subscription)',
          tags,
          body: ConnectionCreate,
          response: { 201: ConnectionView, ...ErrorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await view(await connections.create(request.body))),
    );

    // A static segment: find-my-way prefers it to `/:name`, and `/:name/test` is a different path.
    app.post(
      '/connections/test',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: "Test a connection's settings without saving anything (no connection, no subscription)",
          tags,
          body: ConnectionProbeBody,
          response: { 200: ConnectionProbeView, ...ErrorResponses },
        },
      },
      async (request) => connections.probe(request.body),
    );

    app.get(
      '/connection-types',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'What each connection type takes (config and secret fields as JSON Schema), its actions and ready-made reactions',
          tags,
          response: { 200: List(ConnectionTypeView), ...ErrorResponses },
        },
      },
      async () => ({
        items: integrationManifests().map((m) => ({
          type: m.type,
          title: m.title,
          description: m.description,
          config: m.config,
          secrets: m.secrets,
          actions: m.actions.map((a) => a.name),
          templates: m.templates.map((t) => t.name),
          inbound: m.inbound,
          events: m.events.map((e) => e.type),
          trigger: m.trigger,
          resources: [...m.resources],
          keepsSubscription: SUBSCRIBING.has(m.type),
        })),
      }),
    );

    app.get(
      '/event-types',
      {
        config: { minRole: 'read' },
        schema: {
          summary:
            "Every event a reaction may listen to: Shipline's own and each connection type's, with a description and an example's data",
          tags,
          response: { 200: List(DeclaredEventView), ...ErrorResponses },
        },
      },
      async () => ({ items: allEvents() }),
    );

    app.get(
      '/connections',
      {
        config: { minRole: 'read' },
        schema: { summary: 'List connections', tags, response: { 200: List(ConnectionView), ...ErrorResponses } },
      },
      async () => ({ items: await Promise.all((await store.connections.list()).map(view)) }),
    );

    app.get(
      '/connections/:name',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Show a connection: status, space, version, subscription',
          tags,
          params,
          response: { 200: ConnectionView, ...ErrorResponses },
        },
      },
      async (request) => view(await store.connections.get(request.params.name)),
    );

    app.patch(
      '/connections/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: "Change a connection's config or API key (tested again)",
          tags,
          params,
          body: ConnectionPatch,
          response: { 200: ConnectionView, ...ErrorResponses },
        },
      },
      async (request) => view(await connections.update(request.params.name, request.body)),
    );

    app.delete(
      '/connections/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          summary: 'Delete a connection (its Octopus subscription is deleted too)',
          tags,
          params,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await connections.remove(request.params.name);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/connections/:name/test',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Test a connection now (GET /api, /api/users/me, resolve the space)',
          tags,
          params,
          response: { 200: ConnectionView, ...ErrorResponses },
        },
      },
      async (request) => {
        await connections.test(request.params.name);
        return view(await store.connections.get(request.params.name));
      },
    );

    app.get(
      '/connections/:name/resources/:kind',
      {
        config: { minRole: 'read' },
        schema: {
          summary:
            "Pick resources, as the connection's type lists them (Octopus: projects, environments, releases (newest first) or channels — the last two need ?project=)",
          tags,
          params: Type.Object({ name: Type.String(), kind: Type.Union(RESOURCE_KINDS.map((k) => Type.Literal(k))) }),
          querystring: Type.Object({ project: Type.Optional(Type.String()), search: Type.Optional(Type.String()) }),
          response: { 200: List(Resource), ...ErrorResponses },
        },
      },
      async (request) => {
        const { project, search } = request.query;
        const items = await connections.resources(request.params.name, request.params.kind, {
          ...(project ? { project } : {}),
          ...(search ? { search } : {}),
        });
        return { items };
      },
    );
  };
}
