import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { parseDeployPayload } from '../../core/deploy-payload.js';
import { ShiplineError } from '../../core/errors.js';
import type { IngestOutcome } from '../../store/deploy-batch.js';
import type { Store } from '../../store/index.js';
import { registerErrorHandling } from '../error-handler.js';
import type { Metrics } from '../metrics.js';
import { OPSLEVEL_FORMAT, OpsLevelErrors } from '../opslevel-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * OpsLevel's answer, plus the recorded deploy's id and number: a pipeline can link to it or mark it
 * failed later. Extra fields leave OpsLevel clients, which read `result`, unaffected.
 */
function accepted(outcome: IngestOutcome, alias: string): string {
  const deploy = outcome.deploy;
  switch (outcome.result) {
    case 'ok':
      return deploy
        ? JSON.stringify({ result: outcome.result, deployId: deploy.id, deployNumber: deploy.deployNumber })
        : JSON.stringify({ result: outcome.result });
    case 'no_service_found': {
      const message = `No service found matching alias '${alias}'. Recording '${alias}' as a suggestion.`;
      return deploy
        ? JSON.stringify({ result: outcome.result, message, deployId: deploy.id, deployNumber: deploy.deployNumber })
        : JSON.stringify({ result: outcome.result, message });
    }
    case 'duplicate_deploy':
      return JSON.stringify({ result: outcome.result, message: 'Deploy not created due to existing deploy with identical dedup_id' });
    case 'endpoint_not_found':
      throw endpointGone();
  }
}

const endpointGone = () => new ShiplineError('webhook.endpoint_not_found');

const str = (description: string) => Type.String({ description });
/**
 * The body as documented: parseDeployPayload checks it, not the schema (see `validatorCompiler`
 * below), so that its errors come in OpsLevel's format with OpsLevel's wording.
 */
const DeployPayload = Type.Object({
  service: str("The service's name or alias; an alias no service claims yet is recorded as a suggestion"),
  description: str('What was deployed'),
  deployed_at: str('When: ISO 8601, or YYYY-MM-DD HH:MM:SS in UTC'),
  deployer: Type.Object(
    { id: Type.Optional(Type.String()), email: Type.Optional(Type.String()), name: Type.Optional(Type.String()) },
    { description: 'Who deployed: an email or a name at least' },
  ),
  environment: Type.Optional(Type.String()),
  deploy_url: Type.Optional(Type.String()),
  deploy_number: Type.Optional(Type.String()),
  dedup_id: Type.Optional(str('A second deploy with the same dedup_id is not recorded (answer duplicate_deploy)')),
  status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], { description: 'Default succeeded' })),
  commit: Type.Optional(
    Type.Object({
      sha: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      branch: Type.Optional(Type.String()),
      date: Type.Optional(Type.String()),
      committer_name: Type.Optional(Type.String()),
      committer_email: Type.Optional(Type.String()),
      author_name: Type.Optional(Type.String()),
      author_email: Type.Optional(Type.String()),
      authoring_date: Type.Optional(Type.String()),
    }),
  ),
});
const Accepted = Type.Object({
  result: Type.Union([Type.Literal('ok'), Type.Literal('no_service_found'), Type.Literal('duplicate_deploy')]),
  message: Type.Optional(Type.String()),
  deployId: Type.Optional(str('The recorded deploy (GET /api/v1/deploys/:id); absent for duplicate_deploy')),
  deployNumber: Type.Optional(str("Its number: the one sent, else the next in its service's (or unclaimed alias's) sequence")),
});
const described = (description: string) => Type.Object(OpsLevelErrors.properties, { description });
const ERRORS = {
  400: described('The body is not valid: one entry per field in error (`Deployed at Error` …), or malformed JSON or URL'),
  404: described('webhook.endpoint_not_found: no deploy endpoint at this URL (it may have been deleted)'),
  413: described('request.too_large: the body is larger than SHIPLINE_BODY_LIMIT'),
  414: described('request.url_too_long'),
  415: described('request.unsupported_media_type: the body must be JSON'),
  431: described('request.headers_too_large'),
  500: described('internal: an unexpected error (logged)'),
  503: described("store.unavailable: retry after the Retry-After header's seconds"),
};
const acceptAnything = () => () => true;

/**
 * The deploy webhook, wire-compatible with OpsLevel's custom deploy integration. No token: the
 * endpoint's unguessable id is the credential. 202 is sent only after the deploy is committed.
 * Registered with the prefix INGEST_PREFIX: its errors and unknown URLs under it are answered in
 * OpsLevel's format by this plugin's own handlers.
 */
export function ingestRoutes(store: Store, metrics: Metrics) {
  return async (app: FastifyInstance) => {
    registerErrorHandling(app, store.db.outage, OPSLEVEL_FORMAT);
    // Without it a GET here would reach the web UI's catch-all, whose not-found answer is Shipline's.
    app.get('/*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
    app.post<{ Params: { endpointId: string } }>(
      '/:endpointId',
      {
        schema: {
          summary: 'Record a deploy (OpsLevel-compatible deploy webhook)',
          description:
            "No token: the endpoint's id (`POST /api/v1/deploy-endpoints`) is the credential. Wire-compatible with OpsLevel's custom deploy integration, errors included: `{errors: [{status, title, detail}]}`. Answers 202 once the deploy is committed.",
          tags: ['deploy webhook'],
          params: Type.Object({ endpointId: str('The deploy endpoint id (a UUID)') }),
          body: DeployPayload,
          response: { 202: Accepted, ...ERRORS },
        },
        validatorCompiler: acceptAnything,
      },
      async (request, reply) => {
        const endpointId = request.params.endpointId.toLowerCase();
        if (!UUID.test(endpointId)) throw endpointGone();
        const parsed = parseDeployPayload(request.body);
        if (!parsed.ok) {
          // A deleted endpoint is reported as such even when the body is also wrong.
          if (!(await store.endpoints.exists(endpointId))) throw endpointGone();
          metrics.ingested.inc('rejected');
          return reply.status(400).send({ errors: parsed.errors });
        }
        const outcome = await store.ingest.record(endpointId, parsed.input);
        if (outcome.result === 'endpoint_not_found') throw endpointGone();
        metrics.ingested.inc(outcome.result);
        return reply.status(202).type('application/json; charset=utf-8').send(accepted(outcome, parsed.input.service));
      },
    );
  };
}
