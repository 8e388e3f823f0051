import type { FastifyInstance } from 'fastify';
import { parseDeployPayload } from '../../core/deploy-payload.js';
import { ShiplineError } from '../../core/errors.js';
import type { IngestResult } from '../../store/deploy-batch.js';
import type { Store } from '../../store/index.js';
import type { Metrics } from '../metrics.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The common answer, serialized once.
const OK = JSON.stringify({ result: 'ok' });

function accepted(result: Exclude<IngestResult, 'endpoint_not_found'>, alias: string): string {
  switch (result) {
    case 'ok':
      return OK;
    case 'no_service_found':
      return JSON.stringify({ result, message: `No service found matching alias '${alias}'. Recording '${alias}' as a suggestion.` });
    case 'duplicate_deploy':
      return JSON.stringify({ result, message: 'Deploy not created due to existing deploy with identical dedup_id' });
  }
}

// The error handler answers ShiplineErrors on this route in OpsLevel's format.
const endpointGone = () => new ShiplineError('webhook.endpoint_not_found');

/**
 * The deploy webhook, wire-compatible with OpsLevel's custom deploy integration. No token: the
 * endpoint's unguessable id is the credential. 202 is sent only after the deploy is committed.
 */
export function ingestRoutes(store: Store, metrics: Metrics) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { endpointId: string } }>('/integrations/deploy/:endpointId', { schema: { hide: true } }, async (request, reply) => {
      const endpointId = request.params.endpointId.toLowerCase();
      if (!UUID.test(endpointId)) throw endpointGone();
      const parsed = parseDeployPayload(request.body);
      if (!parsed.ok) {
        // A deleted endpoint is reported as such even when the body is also wrong.
        if (!(await store.endpoints.exists(endpointId))) throw endpointGone();
        metrics.ingested.inc({ result: 'rejected' });
        return reply.status(400).send({ errors: parsed.errors });
      }
      const outcome = await store.ingest.record(endpointId, parsed.input);
      if (outcome.result === 'endpoint_not_found') throw endpointGone();
      metrics.ingested.inc({ result: outcome.result });
      return reply.status(202).type('application/json; charset=utf-8').send(accepted(outcome.result, parsed.input.service));
    });
  };
}
