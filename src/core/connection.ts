/** A connection to another system, as the store keeps it and the integrations receive it. */

/** A connection as the API shows it: never its secrets. */
export interface Connection {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  /** What Shipline last learned about the other side (status, resolved ids, subscription...). */
  state: Record<string, unknown>;
  /** The internal deploy endpoint deploys seen through this connection are recorded under; never shown. */
  endpointId: string;
  createdAt: string;
  updatedAt: string;
}

/** For the engine and the integration only: the decrypted secret fields. */
export interface ConnectionWithSecrets extends Connection {
  secrets: Record<string, string>;
}

export interface NewConnection {
  name: string;
  type: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}
