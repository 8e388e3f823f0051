import { Type } from '@fastify/type-provider-typebox';
import { ShiplineError } from '../../core/errors.js';
import { parseReactionText, usesAdminOnlyAction, validateReaction } from '../../core/reactions/document.js';
import { referencedSecrets } from '../../core/reactions/templates.js';
import { dryRun } from '../../engine/dry-run.js';
import type { ActionRegistry } from '../../engine/registry.js';
import type { Store } from '../../store/index.js';
import { ActionDoc, DryRunRequest, DryRunResult, Reaction, ReactionApplied } from '../engine-schemas.js';
import { ErrorResponses, List } from '../schemas.js';
import type { App } from './types.js';
import { BEARER } from './types.js';

const tags = ['reactions'];
const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });

/** Reactions as documents: PUT applies one (JSON, or YAML with a YAML content type). */
export function reactionRoutes(store: Store, registry: ActionRegistry) {
  return async (app: App) => {
    // Scoped to this plugin: YAML documents are accepted here and nowhere else.
    app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => {
      const parsed = parseReactionText(body as string);
      if (!parsed.ok) return done(new ShiplineError('reaction.invalid', parsed.problems.join('; '), { problems: parsed.problems }));
      if (parsed.documents.length !== 1) return done(new ShiplineError('reaction.invalid', 'PUT takes exactly one document'));
      done(null, parsed.documents[0]);
    });

    app.get('/api/v1/reactions', {
      config: { minRole: 'read' },
      schema: { summary: 'List reactions', tags, security: BEARER, response: { 200: List(Reaction), ...ErrorResponses } },
    }, async () => ({ items: await store.reactions.list() }));

    app.get('/api/v1/reactions/:name', {
      config: { minRole: 'read' },
      schema: { summary: 'Show a reaction', tags, security: BEARER, params: Name, response: { 200: Reaction, ...ErrorResponses } },
    }, async (request) => store.reactions.get(request.params.name));

    app.put('/api/v1/reactions/:name', {
      config: { minRole: 'write' },
      schema: {
        summary: 'Create or update a reaction (idempotent by name; each change is a new version)',
        description: 'Body: the reaction document as JSON, or YAML with Content-Type application/yaml. Reactions using admin-only actions (script) need an admin token.',
        tags, security: BEARER, params: Name, body: Type.Unknown(), response: { 200: ReactionApplied, 201: ReactionApplied, ...ErrorResponses },
      },
    }, async (request, reply) => {
      const raw = request.body;
      const document = raw && typeof raw === 'object' && !Array.isArray(raw) && !('name' in raw) ? { name: request.params.name, ...raw } : raw;
      const result = validateReaction(document, { actions: registry.infos(), secrets: await store.secrets.names() });
      if (!result.ok) throw new ShiplineError('reaction.invalid', `The reaction document is invalid: ${result.problems.join('; ')}`, { problems: result.problems });
      if (result.reaction.name !== request.params.name) {
        throw new ShiplineError('reaction.invalid', `The document's name '${result.reaction.name}' differs from the URL's '${request.params.name}'`);
      }
      const adminOnly = usesAdminOnlyAction(result.reaction, registry.infos());
      if (adminOnly.length > 0 && request.apiToken?.role !== 'admin') {
        throw new ShiplineError('reaction.admin_only', `Only admins may apply reactions using ${adminOnly.join(', ')}`);
      }
      const applied = await store.reactions.apply(result.reaction, document);
      return reply.status(applied.created ? 201 : 200).send({ ...applied.reaction, changed: applied.changed });
    });

    app.delete('/api/v1/reactions/:name', {
      config: { minRole: 'write' },
      schema: { summary: 'Delete a reaction (its runs and versions stay)', tags, security: BEARER, params: Name, response: { 204: Type.Null(), ...ErrorResponses } },
    }, async (request, reply) => {
      await store.reactions.remove(request.params.name);
      return reply.status(204).send(null);
    });

    app.post('/api/v1/reactions/:name/test', {
      config: { minRole: 'read' },
      schema: {
        summary: 'Dry run: would this event start the reaction, and with which inputs? Performs nothing.',
        tags, security: BEARER, params: Name, body: DryRunRequest, response: { 200: DryRunResult, ...ErrorResponses },
      },
    }, async (request) => {
      const { spec } = await store.reactions.current(request.params.name);
      const { eventId, event } = request.body;
      if (!eventId === !event) throw new ShiplineError('request.invalid', 'Give either eventId or event');
      const subject = eventId
        ? await store.events.get(eventId)
        : { id: 'dry-run', type: event!.type, source: event!.source ?? 'dry-run', timestamp: new Date().toISOString(), data: event!.data ?? {} };
      return dryRun(spec, subject, await store.secrets.values(referencedSecrets(spec.steps.map((s) => s.with))));
    });

    app.get('/api/v1/actions', {
      config: { minRole: 'read' },
      schema: { summary: 'The actions reaction steps can use, with their input schemas and channels', tags, security: BEARER, response: { 200: List(ActionDoc), ...ErrorResponses } },
    }, async () => ({
      items: registry.all().map((a) => ({ name: a.name, description: a.description, channels: [...a.channels], adminOnly: a.adminOnly ?? false, config: a.config, exampleOutput: a.exampleOutput })),
    }));
  };
}
