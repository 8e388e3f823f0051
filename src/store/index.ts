import { createHmac } from 'node:crypto';
import type { TriggerDeclaration } from '../core/reactions/source-trigger.js';
import type { Db, DbOptions } from './database.js';
import { openDb } from './database.js';
import { DeployIngest } from './deploy-ingest.js';
import { deploysRepo } from './deploys.js';
import { endpointsRepo } from './endpoints.js';
import { environmentsRepo } from './environments.js';
import { insightsRepo } from './insights.js';
import type { SqlRunner } from './database.js';
import { createDispatcher } from './engine/dispatch.js';
import { GroupCommit } from './group-commit.js';
import type { Dispatcher } from './engine/dispatch.js';
import { eventsRepo } from './events.js';
import { connectionsRepo } from './connections.js';
import { inboxRepo } from './inbox.js';
import { leasesRepo } from './engine/leases.js';
import { kvRepo } from './engine/kv.js';
import { reactionsRepo } from './engine/reactions.js';
import { runsRepo } from './engine/runs.js';
import { loadMasterKey } from './master-key.js';
import { schedulesRepo } from './schedules.js';
import { secretsRepo } from './secrets.js';
import { sessionsRepo } from './sessions.js';
import { servicesRepo } from './services.js';
import { suggestionsRepo } from './suggestions.js';
import { tokensRepo } from './tokens.js';
import { usersRepo } from './users.js';
import { webhooksRepo } from './webhooks.js';

export type { Db, SqlRunner } from './database.js';

export interface StoreOptions extends DbOptions {
  /** SHIPLINE_MASTER_KEY (base64 or hex of 32 bytes); unset: `<dataDir>/master.key`, created on first use. */
  masterKey?: string | undefined;
  /**
   * The connection types' trigger declarations (how the options of a reaction's `on` match an
   * event's data), for dispatch. Default none: a reaction with such options then starts on nothing.
   */
  triggers?: readonly TriggerDeclaration[];
}

/** Everything Shipline keeps, behind one object. Open it, `migrate()`, use it, `close()`. */
export interface Store {
  db: Db;
  services: ReturnType<typeof servicesRepo>;
  deploys: ReturnType<typeof deploysRepo>;
  endpoints: ReturnType<typeof endpointsRepo>;
  environments: ReturnType<typeof environmentsRepo>;
  insights: ReturnType<typeof insightsRepo>;
  suggestions: ReturnType<typeof suggestionsRepo>;
  tokens: ReturnType<typeof tokensRepo>;
  users: ReturnType<typeof usersRepo>;
  sessions: ReturnType<typeof sessionsRepo>;
  events: ReturnType<typeof eventsRepo>;
  reactions: ReturnType<typeof reactionsRepo>;
  runs: ReturnType<typeof runsRepo>;
  dispatcher: Dispatcher;
  secrets: ReturnType<typeof secretsRepo>;
  webhooks: ReturnType<typeof webhooksRepo>;
  connections: ReturnType<typeof connectionsRepo>;
  inbox: ReturnType<typeof inboxRepo>;
  leases: ReturnType<typeof leasesRepo>;
  kv: ReturnType<typeof kvRepo>;
  /** Scheduled reactions' state and ticks. */
  schedules: ReturnType<typeof schedulesRepo>;
  /** Stable per installation (derived from the master key, shared by every instance): names Octopus subscriptions. */
  installationId: string;
  ingest: DeployIngest;
  /**
   * Small writes submitted close together share one transaction (the engine's step outcomes; on
   * SQLite, where there is one writer, the ingest's deploy batches too).
   */
  commits: GroupCommit;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function openStore(options: StoreOptions): Store {
  // Before the database: a bad key should stop the start without leaving a connection open.
  const key = loadMasterKey(options);
  const db = openDb(options);
  const services = servicesRepo(db);
  const events = eventsRepo(db);
  const reactions = reactionsRepo(db);
  // Every transaction that stores events also queues the runs they start.
  const dispatcher = createDispatcher(reactions, options.triggers ?? []);
  const commits = new GroupCommit(db);
  // With one writer (SQLite) every commit waits its turn anyway: sharing them means fewer fsyncs.
  // Where processes share the database (PostgreSQL), concurrent transactions overlap instead.
  const ingestCommit = db.shared ? undefined : <T>(work: (run: SqlRunner) => Promise<T>) => commits.submit(work, { holder: true });
  events.setHook(dispatcher.hook);
  const environments = environmentsRepo(db);
  return {
    db,
    services,
    deploys: deploysRepo(db, services.resolveId, environments.spellings),
    endpoints: endpointsRepo(db),
    environments,
    insights: insightsRepo(db, { environments, events }),
    suggestions: suggestionsRepo(db, services),
    tokens: tokensRepo(db),
    users: usersRepo(db),
    sessions: sessionsRepo(db),
    events,
    reactions,
    runs: runsRepo(db, { events, reactions }),
    dispatcher,
    secrets: secretsRepo(db, key),
    webhooks: webhooksRepo(db, key),
    connections: connectionsRepo(db, key),
    inbox: inboxRepo(db),
    leases: leasesRepo(db),
    kv: kvRepo(db),
    schedules: schedulesRepo(db, events),
    installationId: createHmac('sha256', key).update('shipline installation id').digest('hex').slice(0, 12),
    ingest: new DeployIngest(db, events, ingestCommit, undefined, { hold: (interrupted) => commits.hold(interrupted) }),
    commits,
    migrate: () => db.migrate(),
    close: () => db.close(),
  };
}
