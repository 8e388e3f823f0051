import type { Db, DbOptions } from './database.js';
import { openDb } from './database.js';
import { DeployIngest } from './deploy-ingest.js';
import { deploysRepo } from './deploys.js';
import { endpointsRepo } from './endpoints.js';
import { servicesRepo } from './services.js';
import { suggestionsRepo } from './suggestions.js';
import { tokensRepo } from './tokens.js';

export type { Db, SqlRunner } from './database.js';

/** Everything Shipline keeps, behind one object. Open it, `migrate()`, use it, `close()`. */
export interface Store {
  db: Db;
  services: ReturnType<typeof servicesRepo>;
  deploys: ReturnType<typeof deploysRepo>;
  endpoints: ReturnType<typeof endpointsRepo>;
  suggestions: ReturnType<typeof suggestionsRepo>;
  tokens: ReturnType<typeof tokensRepo>;
  ingest: DeployIngest;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function openStore(options: DbOptions): Store {
  const db = openDb(options);
  const services = servicesRepo(db);
  return {
    db,
    services,
    deploys: deploysRepo(db, services.resolveId),
    endpoints: endpointsRepo(db),
    suggestions: suggestionsRepo(db, services),
    tokens: tokensRepo(db),
    ingest: new DeployIngest(db),
    migrate: () => db.migrate(),
    close: () => db.close(),
  };
}
