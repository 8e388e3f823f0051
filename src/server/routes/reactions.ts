import { Type } from 'typebox';
import { ShiplineError } from '../../core/errors.js';
import type { KnownConnection, KnownConnections, ReactionSpec } from '../../core/reactions/document.js';
import { parseReactionText, usesAdminOnlyAction, validateReaction } from '../../core/reactions/document.js';
import { dryRun } from '../../engine/dry-run.js';
import type { ActionRegistry } from '../../engine/registry.js';
import type { Role, ShiplineEvent } from '../../core/vocabulary.js';
import { roleAllows } from '../../core/vocabulary.js';
import type { Store } from '../../store/index.js';
import type { ConnectionService } from '../../connections/service.js';
import { CONNECTION_TYPES } from '../../integrations/connection-types.js';
import { triggerDeclarations } from '../../core/reactions/source-trigger.js';
import {
  ActionDoc,
  DryRunRequest,
  DryRunResult,
  Reaction,
  ReactionApplied,
  ReactionDetail,
  ReactionListItem,
  ReactionPatch,
  ReactionVersion,
  ValidateRequest,
  ValidateResult,
} from '../engine-schemas.js';
import { ErrorResponses, List, Page, PageQuery } from '../schemas.js';
import type { App } from './types.js';
import { nextFireAt, nextTickEvent, schedulePreview, scheduleView } from '../reaction-schedule.js';

const tags = ['reactions'];
const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
const NameVersion = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), version: Type.Integer({ minimum: 1 }) });

type Read = { ok: true; document: unknown } | { ok: false; problems: string[] };

/** One reaction document from YAML (or JSON) text, as PUT reads a YAML body (and validate the `yaml` field). */
function readOneDocument(text: string): Read {
  const parsed = parseReactionText(text);
  if (!parsed.ok) return parsed;
  if (parsed.documents.length !== 1) return { ok: false, problems: ['PUT takes exactly one document'] };
  return { ok: true, document: parsed.documents[0] };
}

/** The event a dry run is given: a stored one, or one made up for it. */
async function subjectEvent(
  store: Store,
  eventId: string | undefined,
  event: { type: string; data?: unknown; source?: string | undefined } | undefined,
): Promise<ShiplineEvent> {
  if (eventId) return store.events.get(eventId);
  return {
    id: 'dry-run',
    type: event!.type,
    source: event!.source ?? 'dry-run',
    timestamp: new Date().toISOString(),
    data: event!.data ?? {},
  };
}

// Loads no secret: a dry run renders placeholders, for every role.
function dryRunOf(registry: ActionRegistry, spec: ReactionSpec, event: ShiplineEvent) {
  return dryRun(spec, event, { triggers: TRIGGERS, schemaOf: (uses) => registry.get(uses)?.config });
}

/** The options each connection type lets a reaction's `on:` carry for its events. */
const TRIGGERS = triggerDeclarations(CONNECTION_TYPES);

/** The variables each connection type gives a script that names a connection of it. */
const SCRIPT_VARIABLES = new Map(CONNECTION_TYPES.map((t) => [t.type, (t.scriptEnv?.variables ?? []).map((v) => v.name)]));

/** The stored connections under their names and ids, as validation sees them (no settings, no secrets). */
async function knownConnections(store: Store): Promise<KnownConnections> {
  const known = new Map<string, KnownConnection>();
  for (const c of await store.connections.list()) {
    const connection = { name: c.name, type: c.type, scriptVariables: SCRIPT_VARIABLES.get(c.type) ?? [] };
    known.set(c.name, connection);
    known.set(c.id, connection);
  }
  return known;
}

/** Reactions as documents: PUT applies one (JSON, or YAML with a YAML content type). */
export function reactionRoutes(store: Store, registry: ActionRegistry, connections?: ConnectionService) {
  return async (app: App) => {
    // Scoped to this plugin: YAML documents are accepted here and nowhere else.
    app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => {
      const read = readOneDocument(body as string);
      if (!read.ok) return done(new ShiplineError('reaction.invalid', read.problems.join('; '), { problems: read.problems }));
      done(null, read.document);
    });

    // Authors (write, admin) are told of a secret that does not exist; a read caller's document is
    // checked without the names, so validation cannot be used to probe which secrets exist.
    const validationContext = async (role: Role = 'write') => ({
      actions: registry.infos(),
      applying: true,
      triggers: TRIGGERS,
      ...(roleAllows(role, 'write') ? { secrets: await store.secrets.names(), connections: await knownConnections(store) } : {}),
    });
    /** Why PUT refuses `spec` to a caller of `role` (an admin-only action), or null. */
    const adminOnlyRefusal = (spec: ReactionSpec, role: string | undefined): string | null => {
      const adminOnly = usesAdminOnlyAction(spec, registry.infos());
      return adminOnly.length > 0 && role !== 'admin' ? `Only admins may apply reactions using ${adminOnly.join(', ')}` : null;
    };
    const refuseAdminOnly = (spec: ReactionSpec, role: string | undefined) => {
      const refusal = adminOnlyRefusal(spec, role);
      if (refusal) throw new ShiplineError('reaction.admin_only', refusal);
    };

    app.get(
      '/reactions',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List reactions',
          description: "Each with `nextFireAt`: a scheduled reaction's next tick (null when disabled, or for reactions started by events).",
          tags,
          response: { 200: List(ReactionListItem), ...ErrorResponses },
        },
      },
      async () => {
        const now = new Date();
        return { items: (await store.reactions.list()).map((r) => ({ ...r, nextFireAt: nextFireAt(r, now) })) };
      },
    );

    app.get(
      '/reactions/:name',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Show a reaction',
          description:
            '`schedule` is null for a reaction started by events; for a scheduled one it gives the schedule, in words, its next five ticks and the last ten fired (with their events and runs).',
          tags,
          params: Name,
          response: { 200: ReactionDetail, ...ErrorResponses },
        },
      },
      async (request) => {
        const reaction = await store.reactions.get(request.params.name);
        return { ...reaction, schedule: await scheduleView(store, reaction, new Date()) };
      },
    );

    app.put(
      '/reactions/:name',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Create or update a reaction (idempotent by name; each change is a new version)',
          description:
            'Body: the reaction document as JSON, or YAML with Content-Type application/yaml. Reactions using admin-only actions (script) need an admin token.',
          tags,
          params: Name,
          body: Type.Unknown(),
          response: { 200: ReactionApplied, 201: ReactionApplied, ...ErrorResponses },
        },
      },
      async (request, reply) => {
        const raw = request.body;
        const document =
          raw && typeof raw === 'object' && !Array.isArray(raw) && !('name' in raw) ? { name: request.params.name, ...raw } : raw;
        const result = validateReaction(document, await validationContext());
        if (!result.ok)
          throw new ShiplineError('reaction.invalid', `The reaction document is invalid: ${result.problems.join('; ')}`, {
            problems: result.problems,
          });
        if (result.reaction.name !== request.params.name) {
          throw new ShiplineError(
            'reaction.invalid',
            `The document's name '${result.reaction.name}' differs from the URL's '${request.params.name}'`,
          );
        }
        refuseAdminOnly(result.reaction, request.apiToken?.role);
        const applied = await store.reactions.apply(result.reaction, document);
        return reply.status(applied.created ? 201 : 200).send({ ...applied.reaction, changed: applied.changed });
      },
    );

    app.patch(
      '/reactions/:name',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Enable or disable a reaction (a change is a new version, as a PUT of the changed document would be)',
          description: 'Reactions using admin-only actions (script) need an admin token to change.',
          tags,
          params: Name,
          body: ReactionPatch,
          response: { 200: Reaction, ...ErrorResponses },
        },
      },
      async (request) => {
        const applied = await store.reactions.setEnabled(request.params.name, request.body.enabled, (spec) =>
          refuseAdminOnly(spec, request.apiToken?.role),
        );
        return applied.reaction;
      },
    );

    app.get(
      '/reactions/:name/versions',
      {
        config: { minRole: 'read' },
        schema: {
          summary: "A reaction's applied versions, newest first (also of a deleted reaction: its runs name them)",
          tags,
          params: Name,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(ReactionVersion), ...ErrorResponses },
        },
      },
      async (request) => store.reactions.versions(request.params.name, request.query),
    );

    app.get(
      '/reactions/:name/versions/:version',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'One applied version of a reaction',
          tags,
          params: NameVersion,
          response: { 200: ReactionVersion, ...ErrorResponses },
        },
      },
      async (request) => store.reactions.versionView(request.params.name, request.params.version),
    );

    app.post(
      '/reactions/validate',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Check a reaction document (JSON or YAML) as PUT would, and optionally dry-run it against an event; saves nothing',
          description:
            'Give exactly one of `document` and `yaml`; `problems` are the messages PUT /api/v1/reactions/:name would refuse it with. With `eventId` or `event`, a valid document is also dry-run (inputs rendered, each secret as the placeholder «secret:NAME»; no secret is loaded). Unknown secret names are reported to write and admin callers only.',
          tags,
          body: ValidateRequest,
          response: { 200: ValidateResult, ...ErrorResponses },
        },
      },
      async (request) => {
        const { document, yaml, eventId, event } = request.body;
        if ((document === undefined) === (yaml === undefined))
          throw new ShiplineError('request.invalid', 'Give exactly one of document and yaml');
        if (eventId !== undefined && event !== undefined)
          throw new ShiplineError('request.invalid', 'Give at most one of eventId and event');
        // A missing event is a request error whether or not the document is valid.
        const subject = eventId !== undefined || event !== undefined ? await subjectEvent(store, eventId, event) : undefined;
        const read: Read = yaml !== undefined ? readOneDocument(yaml) : { ok: true, document };
        if (!read.ok) return { valid: false, problems: read.problems, warnings: [], reaction: null, dryRun: null };
        const result = validateReaction(read.document, await validationContext(request.apiToken?.role ?? 'read'));
        if (!result.ok) return { valid: false, problems: result.problems, warnings: [], reaction: null, dryRun: null };
        // Valid for anyone, but PUT refuses it to a non-admin: say so before they try.
        const refusal = adminOnlyRefusal(result.reaction, request.apiToken?.role);
        // A trigger that can never match (an unknown connection, project...) is worth a word, not a refusal.
        const warnings = [...(refusal ? [refusal] : []), ...((await connections?.triggerWarnings({ ...result.reaction.on })) ?? [])];
        const schedule = result.reaction.on.schedule;
        return {
          valid: true,
          problems: [],
          warnings,
          reaction: result.reaction,
          dryRun: subject ? dryRunOf(registry, result.reaction, subject) : null,
          ...(schedule ? { schedule: schedulePreview(schedule, new Date()) } : {}),
        };
      },
    );

    app.delete(
      '/reactions/:name',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Delete a reaction (its runs and versions stay)',
          tags,
          params: Name,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
      },
      async (request, reply) => {
        await store.reactions.remove(request.params.name);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/reactions/:name/test',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Dry run: would this event start the reaction, and with which inputs? Performs nothing.',
          description:
            "Give `eventId` or `event`; for a scheduled reaction an empty body `{}` dry-runs its next tick's schedule.fired event.",
          tags,
          params: Name,
          body: DryRunRequest,
          response: { 200: DryRunResult, ...ErrorResponses },
        },
      },
      async (request) => {
        const { spec } = await store.reactions.current(request.params.name);
        const { eventId, event } = request.body;
        if (spec.on.schedule && !eventId && !event) return dryRunOf(registry, spec, nextTickEvent(spec.name, spec.on.schedule, new Date()));
        if (!eventId === !event) throw new ShiplineError('request.invalid', 'Give either eventId or event');
        return dryRunOf(registry, spec, await subjectEvent(store, eventId, event));
      },
    );

    app.get(
      '/actions',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'The actions reaction steps can use, with their input schemas and channels',
          tags,
          response: { 200: List(ActionDoc), ...ErrorResponses },
        },
      },
      async () => ({
        items: registry.all().map((a) => ({
          name: a.name,
          description: a.description,
          channels: [...a.channels],
          adminOnly: a.adminOnly ?? false,
          config: a.config,
          exampleOutput: a.exampleOutput,
        })),
      }),
    );
  };
}
