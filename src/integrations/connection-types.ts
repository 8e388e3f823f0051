import type { ConnectionType } from './connection-type.js';

/** Every prebuilt integration with a connection (Octopus aside): the registry, the API and the docs are built from this list. */
export const CONNECTION_TYPES: readonly ConnectionType[] = [];
