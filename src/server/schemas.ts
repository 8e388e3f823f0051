import { Type } from 'typebox';
import type { TSchema } from '@fastify/type-provider-typebox';
import type { ErrorCode } from '../core/errors.js';
import { ERROR_CODES } from '../core/errors.js';

// The contract at the HTTP edge: these schemas validate input, serialize output (dropping any
// field not listed, so nothing internal leaks) and generate the OpenAPI document.

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.Unsafe<ErrorCode>(
      Type.String({ enum: ERROR_CODES, description: 'Stable error code, e.g. service.not_found (docs/errors.md)' }),
    ),
    message: Type.String(),
    status: Type.Integer(),
    details: Type.Optional(Type.Unknown()),
  }),
});

export const Service = Type.Object({
  id: Type.String(),
  name: Type.String(),
  aliases: Type.Array(Type.String(), { description: 'Always includes the name' }),
  description: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

export const ServiceCreate = Type.Object(
  {
    name: Text(200),
    aliases: Type.Optional(Type.Array(Text(200), { maxItems: 100 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    owner: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const ServicePatch = Type.Partial(ServiceCreate, { additionalProperties: false });

export const AliasAdd = Type.Object({ alias: Text(200) }, { additionalProperties: false });

const DeployerUser = Type.Union([Type.Object({ email: Type.String(), name: Type.String() }), Type.Null()], {
  description: "The Shipline user whose email is the deployer's (compared trimmed, lower case), or null",
});
const DeployerFields = {
  id: Nullable(Type.String()),
  email: Nullable(Type.String()),
  name: Nullable(Type.String()),
};
// Optional here: the deploy list and a single deploy look users up; events (and environments) carry deploys as recorded, without it.
const Deployer = Type.Object({ ...DeployerFields, user: Type.Optional(DeployerUser) });
const Commit = Type.Object({
  sha: Nullable(Type.String()),
  message: Nullable(Type.String()),
  branch: Nullable(Type.String()),
  date: Nullable(Type.String()),
  committerName: Nullable(Type.String()),
  committerEmail: Nullable(Type.String()),
  authorName: Nullable(Type.String()),
  authorEmail: Nullable(Type.String()),
  authoringDate: Nullable(Type.String()),
});

export const Deploy = Type.Object({
  id: Type.String(),
  endpoint: Nullable(
    Type.String({
      description:
        "The name of the deploy endpoint it came through (a connection's deploys: `<type>: <name>`); null if that endpoint was deleted before Shipline kept names. Never the endpoint's id, which is its credential",
    }),
  ),
  service: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  serviceAlias: Type.String(),
  environment: Nullable(Type.String()),
  description: Type.String(),
  deployedAt: Timestamp,
  deployUrl: Nullable(Type.String()),
  deployNumber: Type.String(),
  dedupId: Nullable(Type.String()),
  deployer: Deployer,
  commit: Nullable(Commit),
  receivedAt: Timestamp,
  status: Type.Union([Type.Literal('queued'), Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed')], {
    description:
      "A posted deploy is succeeded unless it says otherwise; an integration's deploy follows its events; a deploy marked failed is failed until the mark is cleared",
  }),
  source: Type.String({ description: 'custom (a deploy endpoint) or octopus' }),
});

/**
 * `GET /api/v1/deploys/:id`: the deploy with what is looked up when it is read, the deployer's
 * user (as the list has it) and its failure mark (only here). Events keep the deploy as recorded.
 */
export const DeployDetail = Type.Object({
  ...Deploy.properties,
  deployer: Type.Object({ ...DeployerFields, user: DeployerUser }),
  failure: Nullable(
    Type.Object(
      {
        reason: Type.String(),
        markedBy: Nullable(Type.String({ description: 'The name of the token (or the email of the user) that marked it' })),
        markedAt: Timestamp,
      },
      { description: 'Its failure mark (POST /api/v1/deploys/:id/failure), or null' },
    ),
  ),
  reportedStatus: Type.Union([Type.Literal('queued'), Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed')], {
    description: 'What its source reported; `status` is `failed` instead while a failure mark holds',
  }),
});

export const Environment = Type.Object({
  name: Type.String(),
  deployCount: Type.Integer(),
  lastDeployedAt: Timestamp,
  services: Type.Array(Deploy, { description: 'The latest deploy of each service (or unclaimed alias) here' }),
  tier: Type.Optional(
    Type.Union([Type.Literal('production'), Type.Literal('staging'), Type.Literal('development'), Type.Literal('other')]),
  ),
  tierSource: Type.Optional(
    Type.Union([Type.Literal('set'), Type.Literal('inferred')], {
      description: 'set by PATCH /api/v1/environments/:name, or inferred from the name',
    }),
  ),
});

export const Endpoint = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String({ description: 'POST deploys here; the URL is the credential' }),
  createdAt: Timestamp,
});

export const EndpointCreate = Type.Object({ name: Text(200) }, { additionalProperties: false });

export const Suggestion = Type.Object({
  alias: Type.String(),
  deployCount: Type.Integer(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});

export const SuggestionAccept = Type.Object(
  {
    serviceId: Type.Optional(
      Type.String({ minLength: 1, description: 'Attach the alias to this service (id or alias) instead of creating one' }),
    ),
  },
  { additionalProperties: false },
);

export const Role = Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')]);

export const Token = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

export const TokenCreated = Type.Intersect([
  Token,
  Type.Object({ token: Type.String({ description: 'The secret; shown only in this response' }) }),
]);

export const TokenCreate = Type.Object({ name: Text(200), role: Role }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1 })),
};

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
export const List = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const ErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

export const Secret = Type.Object({
  name: Type.String(),
  hosts: Type.Array(Type.String(), { description: 'The hosts the secret may be sent to; empty: any host outgoing requests may reach' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// Lengths are checked by the store, which explains why short values are refused (secret.invalid).
export const SecretPut = Type.Object(
  {
    value: Type.String({ description: 'The value: 4 characters to 64 KiB. Never returned by any route.' }),
    hosts: Type.Optional(
      Type.Array(Type.String({ maxLength: 253 }), {
        maxItems: 20,
        description:
          'Binds the secret to these hosts (names, IPs or *.domain patterns): a step using it may send requests only there. [] unbinds it; omitted, a replaced secret keeps its hosts',
      }),
    ),
  },
  { additionalProperties: false },
);

const WebhookAuthType = Type.Union([Type.Literal('api_key'), Type.Literal('hmac_sha256'), Type.Literal('standard_webhooks')]);

export const WebhookCreate = Type.Object(
  {
    name: Type.String({ description: 'Lower-case letters, digits, _ and -; the URL is /hooks/<name>' }),
    auth: Type.Object(
      {
        type: WebhookAuthType,
        header: Type.Optional(Type.String({ description: 'hmac_sha256 only: the signature header (default X-Hub-Signature-256)' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const Webhook = Type.Object({
  name: Type.String(),
  url: Type.String({ description: 'Where the external system POSTs its deliveries' }),
  auth: Type.Object({ type: WebhookAuthType, header: Type.Optional(Type.String()) }),
  createdAt: Timestamp,
});

export const WebhookCreated = Type.Intersect([
  Webhook,
  Type.Object({
    key: Type.Optional(Type.String({ description: 'api_key: the key; shown only in this response' })),
    secret: Type.Optional(
      Type.String({ description: 'hmac_sha256 and standard_webhooks: the signing secret; shown only in this response' }),
    ),
  }),
]);

export const HookAccepted = Type.Object({
  eventId: Type.String({ description: 'The stored event, type webhook.<name>; for a repeat, the event the first delivery stored' }),
  duplicate: Type.Boolean({
    description:
      'True when a delivery with the same id (webhook-id, X-GitHub-Delivery) was stored before: nothing new is stored or started',
  }),
});
