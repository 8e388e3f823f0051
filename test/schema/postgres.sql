CREATE TABLE api_tokens (
  id text NOT NULL,
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
  key text NOT NULL,
  active integer NOT NULL,
  PRIMARY KEY (key)
);

CREATE TABLE connections (
  id text NOT NULL,
  name text NOT NULL,
  type text NOT NULL,
  config text NOT NULL,
  secrets text NOT NULL,
  state text NOT NULL DEFAULT '{}'::text,
  endpoint_id text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (name)
);

CREATE TABLE deploy_endpoints (
  id text NOT NULL,
  name text NOT NULL,
  created_at text NOT NULL,
  internal integer NOT NULL DEFAULT 0,
  PRIMARY KEY (id)
);

CREATE TABLE deploy_failure_marks (
  deploy_id text NOT NULL,
  reason text NOT NULL,
  marked_by text,
  marked_at text NOT NULL,
  PRIMARY KEY (deploy_id)
);

CREATE TABLE deploy_sequences (
  scope text NOT NULL,
  last_number bigint NOT NULL,
  PRIMARY KEY (scope)
);

CREATE TABLE deploys (
  id text NOT NULL,
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
  status text NOT NULL DEFAULT 'succeeded'::text,
  source text NOT NULL DEFAULT 'custom'::text,
  reported_status text,
  endpoint text,
  recorded_event_id text,
  PRIMARY KEY (id),
  UNIQUE (dedup_id)
);

CREATE TABLE dismissed_suggestions (
  alias text NOT NULL,
  dismissed_at text NOT NULL,
  PRIMARY KEY (alias)
);

CREATE TABLE engine_state (
  name text NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE environment_tiers (
  key text NOT NULL,
  tier text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (key)
);

CREATE TABLE events (
  seq bigint NOT NULL DEFAULT nextval('events_seq_seq'::regclass),
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
  seq bigint NOT NULL DEFAULT nextval('inbox_seq_seq'::regclass),
  source text NOT NULL,
  delivery_key text NOT NULL,
  payload text NOT NULL,
  received_at text NOT NULL,
  processed_at text,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  PRIMARY KEY (seq),
  UNIQUE (source, delivery_key)
);

CREATE TABLE jobs (
  id text NOT NULL,
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
  name text NOT NULL,
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
  name text NOT NULL,
  version integer NOT NULL,
  enabled integer NOT NULL,
  trigger text NOT NULL,
  document text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE TABLE runs (
  id text NOT NULL,
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
  name text NOT NULL,
  value text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  hosts text,
  PRIMARY KEY (name)
);

CREATE TABLE service_aliases (
  alias text NOT NULL,
  service_id text NOT NULL,
  FOREIGN KEY (service_id) REFERENCES services(id) ON DELETE CASCADE,
  PRIMARY KEY (alias)
);

CREATE TABLE services (
  id text NOT NULL,
  name text NOT NULL,
  description text,
  owner text,
  tags text NOT NULL DEFAULT '[]'::text,
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
  id_hash text NOT NULL,
  email text NOT NULL,
  csrf_token text NOT NULL,
  created_at text NOT NULL,
  last_seen_at text NOT NULL,
  expires_at text NOT NULL,
  FOREIGN KEY (email) REFERENCES users(email) ON DELETE CASCADE,
  PRIMARY KEY (id_hash)
);

CREATE TABLE users (
  email text NOT NULL,
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
  name text NOT NULL,
  auth_type text NOT NULL,
  auth_header text,
  secret text NOT NULL,
  created_at text NOT NULL,
  PRIMARY KEY (name)
);

CREATE INDEX api_tokens_by_run ON api_tokens USING btree (run_id) WHERE (run_id IS NOT NULL);
CREATE INDEX deploys_by_environment ON deploys USING btree (environment, deployed_at);
CREATE INDEX deploys_by_service ON deploys USING btree (service_id, deployed_at, id);
CREATE INDEX deploys_by_time ON deploys USING btree (deployed_at, id);
CREATE INDEX deploys_not_succeeded ON deploys USING btree (status, deployed_at, id) WHERE (status <> 'succeeded'::text);
CREATE INDEX deploys_unclaimed_by_alias ON deploys USING btree (service_alias, deployed_at) WHERE (service_id IS NULL);
CREATE UNIQUE INDEX events_by_source_key ON events USING btree (source_key) WHERE (source_key IS NOT NULL);
CREATE INDEX events_by_subject ON events USING btree (subject, seq) WHERE (subject IS NOT NULL);
CREATE INDEX events_by_type ON events USING btree (type, occurred_at) WHERE (type <> 'deploy.recorded'::text);
CREATE INDEX inbox_pending ON inbox USING btree (seq) WHERE (processed_at IS NULL);
CREATE INDEX jobs_by_step ON jobs USING btree (run_id, step_id);
CREATE INDEX jobs_due ON jobs USING btree (run_at, id);
CREATE INDEX runs_by_concurrency ON runs USING btree (concurrency_key, status) WHERE (concurrency_key IS NOT NULL);
CREATE INDEX runs_by_event ON runs USING btree (event_id, id);
CREATE INDEX runs_by_reaction ON runs USING btree (reaction, id);
CREATE INDEX runs_by_status ON runs USING btree (status, id) WHERE (status <> 'succeeded'::text);
CREATE INDEX runs_leased ON runs USING btree (locked_until) WHERE (locked_until IS NOT NULL);
CREATE INDEX service_aliases_service ON service_aliases USING btree (service_id);
CREATE INDEX step_executions_due ON step_executions USING btree (run_at) WHERE (run_at IS NOT NULL);
CREATE INDEX user_sessions_by_email ON user_sessions USING btree (email);
CREATE INDEX wait_keys_by_step ON wait_keys USING btree (run_id, step_id);
