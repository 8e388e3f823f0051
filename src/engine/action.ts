import type { TSchema } from 'typebox';
import type { ShiplineEvent } from '../core/vocabulary.js';
import type { ConnectionWithSecrets } from '../core/connection.js';
import type { KnownConnections, SettingProblem } from '../core/reactions/document.js';

/**
 * The action contract: what every built-in and integration action implements. Actions touch the
 * outside world only through the `ActionContext` they are handed (never a global, never the
 * store), so tests can drive them with a stand-in context and the engine keeps timeouts,
 * retries, redaction and logging in one place.
 */

/** An outgoing HTTP request, made through `ctx.http` (SSRF-guarded, pooled, timed). */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request after this long; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Response bodies are cut at this size; default 256 KiB. */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** True when the body was cut at `maxResponseBytes`. */
  truncated: boolean;
}

export interface HttpClient {
  /** Resolves for any HTTP status; rejects on network errors, timeouts and refused addresses. */
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** What a connection gives a script: every variable its type declares, and the values this connection has. */
export interface ConnectionScriptEnv {
  /** Declared whether set or not, so that two connections declaring one name are refused alike every run. */
  variables: ReadonlyArray<{ name: string; secret: boolean }>;
  /** Only the variables this connection has a value for. */
  values: Record<string, string>;
}

/** Where the step's action runs: its identity, the event, and the only doors to the outside. */
export interface ActionContext {
  runId: string;
  stepId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** `<run id>:<step id>`: the same on every attempt, so a receiver can drop repeats. */
  idempotencyKey: string;
  event: ShiplineEvent;
  http: HttpClient;
  /**
   * A stored secret's value by name (decrypted), or undefined. Values are redacted from records,
   * and a secret bound to hosts restricts where this step's requests may go.
   */
  secret(name: string): Promise<string | undefined>;
  /** Appends a line to the step's log (secrets are redacted by the engine). */
  log(line: string): void;
  /** Stores a new event (which may start other reactions) and returns it. */
  emit(type: string, data: unknown): Promise<ShiplineEvent>;
  /**
   * The Shipline API as seen from this run: its base URL and a short-lived token with role
   * `write`, valid only while this run lasts.
   */
  apiAccess(): Promise<{ url: string; token: string }>;
  /** Records a deploy as the deploy webhook would, under Shipline's internal `reactions (built-in)` endpoint. */
  recordDeploy(payload: unknown): Promise<{ result: string; deploy?: unknown; errors?: unknown }>;
  /**
   * A connection by name or id with its secrets decrypted (they are redacted from the step's
   * records like any secret). Throws `connection.not_found`.
   */
  connection(nameOrId: string): Promise<ConnectionWithSecrets>;
  /**
   * The environment variables a connection's type gives a script (`OCTOPUS_URL`, `OCTOPUS_API_KEY`…),
   * with the connection's name and type for messages. The connection's secrets and every value
   * declared secret are redacted from the step's records. Throws NonRetriableError for an unknown
   * connection or a type that declares no variables.
   */
  connectionEnv(nameOrId: string): Promise<ConnectionScriptEnv & { name: string; type: string }>;
  /**
   * Values this reaction keeps across runs (e.g. the Slack message a later run updates), by key;
   * `ttlMs` makes one expire. Scoped to the reaction.
   */
  kv: {
    get(key: string): Promise<unknown>;
    set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  };
  now(): Date;
  /** Aborted when the step times out or the run is cancelled. */
  signal: AbortSignal;
}

/** The step ended: route on `channel` with `output` visible to later steps as `steps.<id>.output`. */
export interface Outcome {
  channel: string;
  output?: unknown;
}

/**
 * The step waits: the engine persists `state`, then resumes the step when an event (or signal)
 * with one of the `correlate` keys arrives, when `poll` reports completion, or at `deadline`
 * (which routes to `failed` with `{reason: "timeout"}` unless the action's `resume` says otherwise).
 */
export interface Wait {
  wait: true;
  correlate: string[];
  /** Call `poll` this often while waiting (ms); omit for no polling. */
  pollEveryMs?: number;
  /**
   * Poll once as soon as the wait is stored, then every `pollEveryMs`. An event that arrives
   * while the step is still running finds no waiter (its keys are not stored yet) and resumes
   * nothing; an action whose events can come that quickly (a deployment that ends in
   * milliseconds) sets this, so the first poll, made once the keys are in place, reads what that
   * event said. Without `pollEveryMs` it does nothing.
   */
  pollWhenStored?: boolean;
  /** ISO-8601 time; omit to wait without a deadline. */
  deadline?: string;
  state: unknown;
}

export type StepResult = Outcome | Wait;

/** Why a waiting step is resumed. */
export type ResumeCause =
  { kind: 'event'; key: string; event: ShiplineEvent } | { kind: 'signal'; key: string; payload: unknown } | { kind: 'timeout' };

export interface Action<C = Record<string, unknown>> {
  /** Dotted, unique: `http.request`, `octopus.deployRelease`. */
  name: string;
  /** One line for docs and the UI. */
  description: string;
  /** Channels a step of this action can end on; `failed` is always among them. */
  channels: readonly string[];
  /** The schema of `with` (after templates are rendered): the form, the validation and the docs. */
  config: TSchema;
  /** What `steps.<id>.output` looks like, for docs and the conventions test. */
  exampleOutput: unknown;
  /** Only admins may apply reactions that use it (e.g. `script`). */
  adminOnly?: boolean;
  /**
   * True for an action that sends its input to a target (a request, a process): it is handed
   * `with` rendered with real secret values. Default false: the action gets the rendering with
   * placeholders (`«secret:NAME»`), the one that is recorded, so an action that stores what it is
   * given (emit, deploy.record) can never store a secret or anything derived from one.
   */
  sendsSecrets?: boolean;
  /**
   * Settings used exactly as written, by name, with the advice a template there is refused with
   * (a script's `run`: event values must not become shell code). Checked by validation and again
   * before each run, for documents stored before the rule. Default none.
   */
  literalSettings?: Readonly<Record<string, string>>;
  /**
   * Checks of `with` its schema cannot say (a script's env names: not Shipline's own), on the
   * document as written: run by validation, so a reaction is refused when it is applied, and by
   * the action again before it runs, for documents stored before the rule. Validation passes the
   * stored `connections` (a script's named connections must not give one variable twice); a check
   * must pass without them, since a connection may be created after the reaction. Default none.
   */
  configProblems?(config: Record<string, unknown>, connections?: KnownConnections): SettingProblem[];
  run(ctx: ActionContext, config: C): Promise<StepResult>;
  /** Continues a waiting step. Default: a timeout routes to `failed`, anything else to `success`. */
  resume?(ctx: ActionContext, config: C, state: unknown, cause: ResumeCause): Promise<StepResult>;
  /** Checks on a waiting step: an outcome ends the wait, `pending` keeps waiting. */
  poll?(ctx: ActionContext, config: C, state: unknown): Promise<Outcome | 'pending'>;
  /** The run was cancelled while this step waited: undo what can be undone (cancel the Octopus task). */
  cancel?(ctx: ActionContext, state: unknown): Promise<void>;
}

/** Thrown by an action: the step fails now, without further attempts. */
export class NonRetriableError extends Error {
  override readonly name = 'NonRetriableError';
}

/** Thrown by an action: try again, no sooner than `retryAfterMs` from now (e.g. HTTP 429). */
export class RetryAfterError extends Error {
  override readonly name = 'RetryAfterError';
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export function isWait(result: StepResult): result is Wait {
  return (result as Wait).wait === true;
}
