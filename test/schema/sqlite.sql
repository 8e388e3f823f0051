CREATE TABLE api_tokens (
  id text,
  name text NOT NULL,
  role text NOT NULL,
  token_hash text NOT NULL,
  created_at text NOT NULL,
  last_used_at text,
  revoked_at text,
  expires_at text,
  run_id text,
  PRIMARY KEY (id),
  UNIQUE (token_hash)
);

CREATE TABLE concurrency_slots (
  key text,
  active integer NOT NULL,
  PRIMARY KEY (key)
);

CREATE TABLE connections (
  id text,
  name text NOT NULL,
  type text NOT NULL,
  config text NOT NULL,
  secrets text NOT NULL,
  state text NOT NULL DEFAULT '{}',
  endpoint_id text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (name)
);

CREATE TABLE deploy_endpoints (
  id text,
  name text NOT NULL,
  created_at text NOT NULL,
  internal integer NOT NULL DEFAULT 0,
  PRIMARY KEY (id)
);

CREATE TABLE deploy_environments (
  name text NOT NULL,
  first_deployed_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE deploy_failure_marks (
  deploy_id text,
  reason text NOT NULL,
  marked_by text,
  marked_at text NOT NULL,
  PRIMARY KEY (deploy_id)
);

CREATE TABLE deploy_sequences (
  scope text,
  last_number bigint NOT NULL,
  PRIMARY KEY (scope)
);

CREATE TABLE deploys (
  id text,
  endpoint_id text NOT NULL,
  service_id text,
  service_alias text NOT NULL,
  environment text,
  description text NOT NULL,
  deployed_at text NOT NULL,
  deploy_url text,
  deploy_number text NOT NULL,
  dedup_id text,
  deployer_id text,
  deployer_email text,
  deployer_name text,
  commit_json text,
  received_at text NOT NULL,
  status text NOT NULL DEFAULT 'succeeded',
  source text NOT NULL DEFAULT 'custom',
  reported_status text,
  endpoint text,
  recorded_event_id text,
  PRIMARY KEY (id),
  UNIQUE (dedup_id)
);

CREATE TABLE dismissed_suggestions (
  alias text,
  dismissed_at text NOT NULL,
  PRIMARY KEY (alias)
);

CREATE TABLE engine_state (
  name text,
  value bigint NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE environment_tiers (
  key text,
  tier text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (key)
);

CREATE TABLE events (
  seq integer,
  id text NOT NULL,
  type text NOT NULL,
  source text NOT NULL,
  source_key text,
  occurred_at text NOT NULL,
  data text NOT NULL,
  created_at text NOT NULL,
  subject text,
  PRIMARY KEY (seq),
  UNIQUE (id)
);

CREATE TABLE inbox (
  seq integer,
  source text NOT NULL,
  delivery_key text NOT NULL,
  payload text NOT NULL,
  received_at text NOT NULL,
  processed_at text,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  PRIMARY KEY (seq) AUTOINCREMENT,
  UNIQUE (source, delivery_key)
);

CREATE TABLE jobs (
  id text,
  kind text NOT NULL,
  run_id text NOT NULL,
  step_id text NOT NULL,
  run_at text NOT NULL,
  payload text,
  job_key text NOT NULL,
  locked_by text,
  locked_until text,
  created_at text NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (job_key)
);

CREATE TABLE kv (
  scope text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  expires_at text,
  updated_at text NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE leases (
  name text,
  owner text NOT NULL,
  expires_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE reaction_versions (
  name text NOT NULL,
  version integer NOT NULL,
  document text NOT NULL,
  created_at text NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE reactions (
  name text,
  version integer NOT NULL,
  enabled integer NOT NULL,
  trigger text NOT NULL,
  document text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE runs (
  id text,
  reaction text NOT NULL,
  reaction_version integer NOT NULL,
  event_id text NOT NULL,
  status text NOT NULL,
  concurrency_key text,
  error text,
  created_at text NOT NULL,
  started_at text,
  finished_at text,
  lease_step text,
  locked_by text,
  locked_until text,
  PRIMARY KEY (id)
);

CREATE TABLE schedule_ticks (
  reaction text NOT NULL,
  scheduled_at text NOT NULL,
  fired_at text NOT NULL,
  event_id text NOT NULL,
  PRIMARY KEY (reaction, scheduled_at)
);

CREATE TABLE schedule_versions (
  reaction text NOT NULL,
  version integer NOT NULL,
  since text NOT NULL,
  PRIMARY KEY (reaction, version)
);

CREATE TABLE secrets (
  name text,
  value text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  hosts text,
  PRIMARY KEY (name)
);

CREATE TABLE service_aliases (
  alias text,
  service_id text NOT NULL,
  FOREIGN KEY (service_id) REFERENCES services(id) ON DELETE CASCADE,
  PRIMARY KEY (alias)
);

CREATE TABLE services (
  id text,
  name text NOT NULL,
  description text,
  owner text,
  tags text NOT NULL DEFAULT '[]',
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (name)
);

CREATE TABLE step_executions (
  run_id text NOT NULL,
  step_id text NOT NULL,
  status text NOT NULL,
  channel text,
  attempt integer NOT NULL,
  input text,
  output text,
  error text,
  logs text NOT NULL,
  attempts text NOT NULL,
  wait_state text,
  wait_deadline text,
  created_at text NOT NULL,
  started_at text,
  finished_at text,
  run_at text,
  locked_by text,
  locked_until text,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE user_sessions (
  id_hash text,
  email text NOT NULL,
  csrf_token text NOT NULL,
  created_at text NOT NULL,
  last_seen_at text NOT NULL,
  expires_at text NOT NULL,
  FOREIGN KEY (email) REFERENCES users(email) ON DELETE CASCADE,
  PRIMARY KEY (id_hash)
);

CREATE TABLE users (
  email text,
  name text NOT NULL,
  role text NOT NULL,
  password_hash text NOT NULL,
  disabled_at text,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (email)
);

CREATE TABLE wait_keys (
  key text NOT NULL,
  run_id text NOT NULL,
  step_id text NOT NULL,
  PRIMARY KEY (key, run_id, step_id)
);

CREATE TABLE webhooks (
  name text,
  auth_type text NOT NULL,
  auth_header text,
  secret text NOT NULL,
  created_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE INDEX "api_tokens_by_run" on "api_tokens" ("run_id") where "run_id" is not null;
CREATE INDEX "deploys_by_service" on "deploys" ("service_id", "deployed_at", "id");
CREATE INDEX "deploys_by_time" on "deploys" ("deployed_at", "id", "environment");
CREATE TRIGGER deploys_environment_changed AFTER UPDATE OF environment, deployed_at ON deploys WHEN new.environment IS NOT NULL BEGIN INSERT INTO deploy_environments (name, first_deployed_at) VALUES (new.environment, new.deployed_at) ON CONFLICT (name) DO UPDATE SET first_deployed_at = excluded.first_deployed_at WHERE excluded.first_deployed_at < deploy_environments.first_deployed_at; END;
CREATE TRIGGER deploys_environment_seen AFTER INSERT ON deploys WHEN new.environment IS NOT NULL BEGIN INSERT INTO deploy_environments (name, first_deployed_at) VALUES (new.environment, new.deployed_at) ON CONFLICT (name) DO UPDATE SET first_deployed_at = excluded.first_deployed_at WHERE excluded.first_deployed_at < deploy_environments.first_deployed_at; END;
CREATE INDEX deploys_not_succeeded ON deploys (status, deployed_at, id) WHERE status <> 'succeeded';
CREATE INDEX "deploys_unclaimed_by_alias" on "deploys" ("service_alias", "deployed_at") where "service_id" is null;
CREATE UNIQUE INDEX "events_by_source_key" on "events" ("source_key") where "source_key" is not null;
CREATE INDEX "events_by_subject" on "events" ("subject", "seq") where "subject" is not null;
CREATE INDEX "events_by_type" on "events" ("type", "occurred_at") where "type" <> 'deploy.recorded';
CREATE TRIGGER events_keep_newest BEFORE DELETE ON events WHEN old.seq >= (SELECT max(seq) FROM events) BEGIN SELECT RAISE(ABORT, 'the newest event cannot be deleted: its position would be handed out again'); END;
CREATE INDEX "inbox_pending" on "inbox" ("seq") where "processed_at" is null;
CREATE INDEX "jobs_by_step" on "jobs" ("run_id", "step_id");
CREATE INDEX "jobs_due" on "jobs" ("run_at", "id");
CREATE INDEX "runs_by_concurrency" on "runs" ("concurrency_key", "status") where "concurrency_key" is not null;
CREATE INDEX "runs_by_event" on "runs" ("event_id", "id");
CREATE INDEX "runs_by_reaction" on "runs" ("reaction", "id");
CREATE INDEX "runs_by_status" on "runs" ("status", "id") where "status" <> 'succeeded';
CREATE INDEX "runs_leased" on "runs" ("locked_until") where "locked_until" is not null;
CREATE INDEX "service_aliases_service" on "service_aliases" ("service_id");
CREATE INDEX "step_executions_due" on "step_executions" ("run_at") where "run_at" is not null;
CREATE INDEX "user_sessions_by_email" on "user_sessions" ("email");
CREATE INDEX "wait_keys_by_step" on "wait_keys" ("run_id", "step_id");
