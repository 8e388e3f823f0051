// The server's shapes the shared parts of the UI use, derived from the server's HTTP contract
// (src/server/*schemas.ts). Type-only imports: the bundle takes none of the server's code.
// Pages keep the types only they use next to them.
import type { Static } from '@fastify/type-provider-typebox';
import type * as EngineSchemas from '../../../src/server/engine-schemas.js';
import type * as Schemas from '../../../src/server/schemas.js';
import type * as UserSchemas from '../../../src/server/user-schemas.js';

export type Role = Static<typeof Schemas.Role>;
export type SessionView = Static<typeof UserSchemas.SessionView>;
export type Deploy = Static<typeof Schemas.Deploy>;
export type Commit = NonNullable<Deploy['commit']>;
export type DeployStatus = Deploy['status'];
export type Service = Static<typeof Schemas.Service>;
export type ShiplineEvent = Static<typeof EngineSchemas.Event>;
