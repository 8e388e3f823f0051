import { Type } from 'typebox';
import { ShiplineError } from '../core/errors.js';
import type { ErrorFormat } from './error-handler.js';

/** Where the deploy webhook is served: its errors are answered in OpsLevel's format. */
export const INGEST_PREFIX = '/integrations/deploy';

/** OpsLevel-style titles (`<Subject> Error`) for webhook errors that are not about one body field. */
const INGEST_TITLES: Partial<Record<number, string>> = {
  400: 'Request Error',
  404: 'Not Found Error',
  408: 'Request Timeout Error',
  413: 'Payload Too Large Error',
  414: 'URI Too Long Error',
  415: 'Unsupported Media Type Error',
  431: 'Request Header Fields Too Large Error',
  500: 'Internal Error',
  503: 'Service Unavailable Error',
};

/** OpsLevel's error body: `{errors: [{status, title, detail}]}`, one entry per problem. */
export const OpsLevelErrors = Type.Object({
  errors: Type.Array(
    Type.Object({
      status: Type.Integer(),
      title: Type.String({ description: 'The field in error (`Deployed at Error`) or the kind of error (`Not Found Error`)' }),
      detail: Type.String(),
    }),
  ),
});

/** The deploy webhook's errors, as OpsLevel's custom deploy integration answers them. */
export const OPSLEVEL_FORMAT: ErrorFormat = {
  body: (error: ShiplineError) => ({
    errors: [{ status: error.status, title: INGEST_TITLES[error.status] ?? 'Error', detail: error.message }],
  }),
  notFound: () => new ShiplineError('webhook.endpoint_not_found'),
};
