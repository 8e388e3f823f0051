import type { Generated } from 'kysely';

// Row types of every table. Timestamps are ISO-8601 UTC strings on both dialects so they sort and
// compare the same way everywhere; JSON documents are stored as text.

export interface ServicesTable {
  id: string;
  name: string;
  description: string | null;
  owner: string | null;
  tags: string;
  created_at: string;
  updated_at: string;
}

export interface ServiceAliasesTable {
  alias: string;
  service_id: string;
}

export interface DeployEndpointsTable {
  id: string;
  name: string;
  created_at: string;
  /** 1: Shipline's own (a connection's, the reactions' built-in one): never listed, deleted or posted to. */
  internal: Generated<number>;
}

export interface DeploysTable {
  id: string;
  /** The endpoint's id, kept for Shipline alone: it is the endpoint's credential, never shown. */
  endpoint_id: string;
  /** The endpoint's name when the deploy was recorded (what views show). */
  endpoint: string | null;
  service_id: string | null;
  service_alias: string;
  environment: string | null;
  description: string;
  deployed_at: string;
  deploy_url: string | null;
  deploy_number: string;
  dedup_id: string | null;
  deployer_id: string | null;
  deployer_email: string | null;
  deployer_name: string | null;
  commit_json: string | null;
  received_at: string;
  /**
   * queued | started | succeeded | failed, as everyone reads it: `failed` while a failure mark
   * holds; otherwise what the source reported (a deploy posted by a pipeline is `succeeded` unless it says).
   */
  status: string;
  /** What the source reported while a failure mark overrides `status`; null when there is no mark. */
  reported_status: string | null;
  /** custom (a deploy endpoint) | octopus */
  source: string;
  /**
   * The id of the deploy's `deploy.recorded` event ('' when none is stored), so it is found
   * without an index entry of its own; null for a row the ingest did not write.
   */
  recorded_event_id: string | null;
}

export interface DeploySequencesTable {
  scope: string;
  last_number: number;
}

export interface DismissedSuggestionsTable {
  alias: string;
  dismissed_at: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
  run_id: string | null;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  source: string;
  source_key: string | null;
  occurred_at: string;
  data: string;
  created_at: string;
  /** The provider deployment a later event of a deploy is about (the deploy's dedup id); null for most events. */
  subject: string | null;
}

export interface ReactionsTable {
  name: string;
  version: number;
  /** 1 or 0: SQLite has no boolean. */
  enabled: number;
  trigger: string;
  document: string;
  created_at: string;
  updated_at: string;
}

export interface ReactionVersionsTable {
  name: string;
  version: number;
  document: string;
  created_at: string;
}

export interface EngineStateTable {
  name: string;
  value: number | string;
}

export interface RunsTable {
  id: string;
  reaction: string;
  reaction_version: number;
  event_id: string;
  status: string;
  concurrency_key: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The first step handed over with the run (null: none); stored only once it ends, see 0017. */
  lease_step: string | null;
  /** The lease of `lease_step` while it runs without a row of its own. */
  locked_by: string | null;
  locked_until: string | null;
}

export interface StepExecutionsTable {
  run_id: string;
  step_id: string;
  status: string;
  channel: string | null;
  attempt: number;
  input: string | null;
  output: string | null;
  error: string | null;
  logs: string;
  attempts: string;
  wait_state: string | null;
  wait_deadline: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** When the step may be claimed; null while it is not queued. */
  run_at: string | null;
  locked_by: string | null;
  locked_until: string | null;
}

export interface JobsTable {
  id: string;
  kind: string;
  run_id: string;
  step_id: string;
  run_at: string;
  payload: string | null;
  job_key: string;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
}

export interface WaitKeysTable {
  key: string;
  run_id: string;
  step_id: string;
}

export interface ConcurrencySlotsTable {
  key: string;
  active: number;
}

export interface SecretsTable {
  name: string;
  value: string;
  /** JSON array of host patterns the secret may be sent to; null: any host. */
  hosts: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhooksTable {
  name: string;
  auth_type: string;
  auth_header: string | null;
  secret: string;
  created_at: string;
}

export interface ConnectionsTable {
  id: string;
  name: string;
  type: string;
  config: string;
  secrets: string;
  state: string;
  endpoint_id: string;
  created_at: string;
  updated_at: string;
}

export interface InboxTable {
  seq: Generated<number>;
  source: string;
  delivery_key: string;
  payload: string;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  error: string | null;
}

export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: string;
}

export interface KvTable {
  scope: string;
  key: string;
  value: string;
  expires_at: string | null;
  updated_at: string;
}

export interface EnvironmentTiersTable {
  key: string;
  tier: string;
  updated_at: string;
}

/** SQLite only (migration 0016): each environment name deploys used, kept by triggers on deploys. */
export interface DeployEnvironmentsTable {
  name: string;
  first_deployed_at: string;
}

export interface DeployFailureMarksTable {
  deploy_id: string;
  reason: string;
  marked_by: string | null;
  marked_at: string;
}

export interface UsersTable {
  /** Normalised: trimmed, lower case. */
  email: string;
  name: string;
  role: string;
  /** argon2id PHC string; never leaves the store. */
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserSessionsTable {
  /** SHA-256 (hex) of the session id the cookie carries. */
  id_hash: string;
  email: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute end, however active the session is. */
  expires_at: string;
}

/** From when a version of a scheduled reaction counts its ticks. */
export interface ScheduleVersionsTable {
  reaction: string;
  version: number;
  since: string;
}

/** A tick fired: its scheduled time, when it fired, and its `schedule.fired` event. */
export interface ScheduleTicksTable {
  reaction: string;
  scheduled_at: string;
  fired_at: string;
  event_id: string;
}

export interface Database {
  services: ServicesTable;
  service_aliases: ServiceAliasesTable;
  deploy_endpoints: DeployEndpointsTable;
  deploys: DeploysTable;
  deploy_sequences: DeploySequencesTable;
  dismissed_suggestions: DismissedSuggestionsTable;
  api_tokens: ApiTokensTable;
  events: EventsTable;
  reactions: ReactionsTable;
  reaction_versions: ReactionVersionsTable;
  engine_state: EngineStateTable;
  runs: RunsTable;
  step_executions: StepExecutionsTable;
  jobs: JobsTable;
  wait_keys: WaitKeysTable;
  concurrency_slots: ConcurrencySlotsTable;
  secrets: SecretsTable;
  webhooks: WebhooksTable;
  connections: ConnectionsTable;
  inbox: InboxTable;
  leases: LeasesTable;
  kv: KvTable;
  environment_tiers: EnvironmentTiersTable;
  deploy_failure_marks: DeployFailureMarksTable;
  deploy_environments: DeployEnvironmentsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  schedule_versions: ScheduleVersionsTable;
  schedule_ticks: ScheduleTicksTable;
}
