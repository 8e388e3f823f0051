import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { ReactionSpec, StepSpec } from '../core/reactions/document.js';
import { Budget } from '../core/reactions/budget.js';
import { backoffDelayMs } from '../core/reactions/durations.js';
import { literalSettingProblems } from '../core/reactions/literal-settings.js';
import { placeholderSecrets } from '../core/reactions/secret-placeholders.js';
import { referencedSecrets, renderValue, TemplateError } from '../core/reactions/templates.js';
import type { ShiplineEvent } from '../core/vocabulary.js';
import type { ClaimedJob } from '../store/engine/jobs.js';
import type { StepDecision } from '../store/engine/step-outcomes.js';
import type { Action, ActionContext, Outcome, ResumeCause, StepResult } from './action.js';
import { isWait, NonRetriableError, RetryAfterError } from './action.js';
import type { EngineDeps } from './deps.js';
import { HostBinding } from './host-binding.js';
import { StepRecorder } from './step-io.js';
import { retryWaitJob, withoutRetry } from './wait-retry.js';
import { errorMessage } from '../core/error-message.js';

/** A step with no `timeout` of its own is stopped after this long. */
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

class StepTimeout extends Error {}

// Each action's config schema compiled once: checking a rendered config is most of a short
// step's CPU time when interpreted.
const checkers = new WeakMap<TSchema, (value: unknown) => boolean>();

function conforms(schema: TSchema, value: unknown): boolean {
  let check = checkers.get(schema);
  if (!check) {
    const compiled = Compile(schema);
    check = (v) => compiled.Check(v);
    checkers.set(schema, check);
  }
  return check(value);
}

/** The rendered config as the types the action declares; as rendered when it has them already. */
function converted(schema: TSchema, rendered: Record<string, unknown>): Record<string, unknown> {
  return conforms(schema, rendered) ? rendered : (Value.Convert(schema, rendered) as Record<string, unknown>);
}

/**
 * Executes one claimed job (outside any transaction) and decides what it leads to. Never throws:
 * every failure becomes a decision (retry, or the `failed` channel after the last attempt).
 */
export async function executeJob(job: ClaimedJob, deps: EngineDeps, abort: AbortController): Promise<StepDecision> {
  const discard: StepDecision = { kind: 'discard', jobId: job.id, ...(job.leasedBy ? { leasedBy: job.leasedBy } : {}) };
  if (job.run.status !== 'running' && job.run.status !== 'waiting') return discard;
  const expected = job.kind === 'step' ? 'running' : 'waiting';
  if (job.step.status !== expected) return discard;

  const { spec } = await deps.store.reactions.version(job.run.reaction, job.run.version);
  const step = spec.steps.find((s) => s.id === job.stepId);
  if (!step) return discard;
  const now = deps.now ?? (() => new Date());
  const recorder = new StepRecorder(job.step.logs, now);
  const startedAt = now().toISOString();
  const attempts =
    job.kind === 'step'
      ? [...job.step.attempts, { attempt: job.step.attempt, startedAt, finishedAt: null as string | null, error: null as string | null }]
      : [...job.step.attempts];
  // An attempt's error is recorded like the step's: an error may quote what the target echoed.
  const closeAttempt = (list: typeof attempts, clock: () => Date, error: string | null) =>
    finishAttempt(list, clock, error === null ? null : recorder.redact(error));
  const base = {
    jobId: job.id,
    runId: job.runId,
    stepId: job.stepId,
    fence: { status: expected, attempt: job.step.attempt } as const,
    ...(job.fresh ? { fresh: true } : {}),
    ...(job.leasedBy ? { leasedBy: job.leasedBy } : {}),
    logs: recorder.logs,
    attempts,
  };

  const end = (channel: string, output: unknown, error: string | null): StepDecision => {
    closeAttempt(attempts, now, error);
    return {
      ...base,
      kind: 'end',
      channel,
      output: recorder.redact(output),
      error: error === null ? null : recorder.redact(error),
      input: recorder.redact(input),
      spec,
    };
  };

  let input: unknown = job.step.input;
  const action = deps.registry.get(step.uses);
  if (!action) return end('failed', null, `unknown action ${step.uses}`);

  // A document stored before a setting became literal is refused here rather than rendered.
  const literal = literalSettingProblems(step.with, action.literalSettings, 'with');
  if (literal.length > 0) return end('failed', null, `invalid input for ${action.name}: ${literal.join('; ')}`);

  let config: Record<string, unknown>;
  const hosts = new HostBinding();
  try {
    // Templates render to text: `{{ data.port }}` is "8080". Converted to the types the action
    // declares (as validation assumed when it accepted literals such as `port: "8080"`).
    const rendered = await renderConfig(job, spec, step, deps, recorder, hosts, action.sendsSecrets === true);
    const shown = converted(action.config, rendered.shown);
    input = shown;
    config = rendered.real === undefined ? shown : converted(action.config, rendered.real);
    if (rendered.real !== undefined) recorder.hideDerived(config, shown);
    const problems = conforms(action.config, config)
      ? []
      : [...Value.Errors(action.config, config)].map((e) => `${e.instancePath || '/'}: ${e.message}`);
    if (problems.length > 0) return end('failed', null, `invalid input for ${action.name}: ${problems.join('; ')}`);
  } catch (err) {
    return end('failed', null, `could not render the step's input: ${errorMessage(err)}`);
  }

  const ctx = contextFor(job, deps, recorder, abort.signal, now, hosts);
  const timeoutMs = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  try {
    const result = await withTimeout(
      invoke(action, job, ctx, config, (id) => deps.store.events.get(id)),
      timeoutMs,
      abort,
    );
    if (result === 'pending')
      return {
        kind: 'poll-later',
        jobId: job.id,
        runAt: new Date(now().getTime() + pollInterval(job)).toISOString(),
        payload: withoutRetry(job.payload),
      };
    if (isWait(result)) {
      closeAttempt(attempts, now, null);
      return {
        ...base,
        kind: 'wait',
        input: recorder.redact(input),
        state: result.state,
        correlate: result.correlate,
        deadline: result.deadline ?? null,
        pollEveryMs: result.pollEveryMs ?? null,
        pollWhenStored: result.pollWhenStored === true,
      };
    }
    if (!action.channels.includes(result.channel))
      return end('failed', result.output, `action ${action.name} ended on unknown channel ${result.channel}`);
    return end(result.channel, result.output, null);
  } catch (err) {
    const message = err instanceof StepTimeout ? `step timed out after ${timeoutMs} ms` : errorMessage(err);
    recorder.log(`error: ${message}`);
    // A waiting step's poll or resume failing on something passing leaves the step waiting.
    const later = retryWaitJob(job, step, err, timeoutMs, now(), recorder);
    if (later) return later;
    const retriable =
      job.kind === 'step' && !(err instanceof NonRetriableError) && job.step.attempt < step.retry.attempts && !abort.signal.aborted;
    if (!retriable) return end('failed', { error: recorder.redact(message) }, message);
    const delay = Math.max(backoffDelayMs(step.retry, job.step.attempt), err instanceof RetryAfterError ? err.retryAfterMs : 0);
    closeAttempt(attempts, now, message);
    recorder.log(`attempt ${job.step.attempt} of ${step.retry.attempts} failed; retrying in ${delay} ms`);
    return {
      ...base,
      kind: 'retry',
      input: recorder.redact(input),
      error: recorder.redact(message),
      runAt: new Date(now().getTime() + delay).toISOString(),
    };
  }
}

/**
 * The run was cancelled while `job`'s step waited: lets the action undo what it started (the
 * Deploy Release step cancels its Octopus task). Best effort: failures are logged.
 */
export async function cancelWaitingStep(job: ClaimedJob, deps: EngineDeps): Promise<void> {
  const { spec } = await deps.store.reactions.version(job.run.reaction, job.run.version);
  const step = spec.steps.find((s) => s.id === job.stepId);
  const action = step ? deps.registry.get(step.uses) : undefined;
  if (!action?.cancel) return;
  const now = deps.now ?? (() => new Date());
  const recorder = new StepRecorder([], now);
  try {
    await action.cancel(contextFor(job, deps, recorder, AbortSignal.timeout(30_000), now), job.step.waitState);
    deps.logger?.info({ runId: job.runId, stepId: job.stepId, log: recorder.logs }, 'cancelled what a waiting step started');
  } catch (err) {
    deps.logger?.warn(
      { err: recorder.redact(errorMessage(err)), runId: job.runId, stepId: job.stepId },
      'could not cancel what a waiting step started',
    );
  }
}

function finishAttempt(attempts: { finishedAt: string | null; error: string | null }[], now: () => Date, error: string | null): void {
  const last = attempts[attempts.length - 1];
  if (last && last.finishedAt === null) {
    last.finishedAt = now().toISOString();
    last.error = error;
  }
}

function pollInterval(job: ClaimedJob): number {
  const every = (job.payload as { pollEveryMs?: number } | null)?.pollEveryMs;
  return typeof every === 'number' ? every : 5_000;
}

/** Runs the action entry point the job is for. */
async function invoke(
  action: Action,
  job: ClaimedJob,
  ctx: ActionContext,
  config: Record<string, unknown>,
  loadEvent: (id: string) => Promise<ShiplineEvent>,
): Promise<StepResult | 'pending'> {
  if (job.kind === 'step') return action.run(ctx, config);
  const state = job.step.waitState;
  if (job.kind === 'poll') {
    if (!action.poll) return 'pending';
    return action.poll(ctx, config, state);
  }
  const cause = await causeOf(job, loadEvent);
  if (action.resume) return action.resume(ctx, config, state, cause);
  const outcome: Outcome =
    cause.kind === 'timeout'
      ? { channel: 'failed', output: { reason: 'timeout' } }
      : { channel: 'success', output: cause.kind === 'event' ? { event: cause.event } : cause.payload };
  return outcome;
}

async function causeOf(job: ClaimedJob, loadEvent: (id: string) => Promise<ShiplineEvent>): Promise<ResumeCause> {
  if (job.kind === 'timeout') return { kind: 'timeout' };
  const payload = job.payload as { kind: 'event'; key: string; eventId: string } | { kind: 'signal'; key: string; payload: unknown };
  if (payload.kind === 'signal') return payload;
  return { kind: 'event', key: payload.key, event: await loadEvent(payload.eventId) };
}

/**
 * Renders `with` against the event and earlier outputs: `shown` with each secret as its
 * placeholder (what is recorded, and all an action that does not send gets), and for an action
 * that sends, `real` with the secrets' values. Binds the step to the hosts of the secrets it names.
 */
async function renderConfig(
  job: ClaimedJob,
  spec: ReactionSpec,
  step: StepSpec,
  deps: EngineDeps,
  recorder: StepRecorder,
  hosts: HostBinding,
  withValues: boolean,
): Promise<{ shown: Record<string, unknown>; real?: Record<string, unknown> }> {
  const names = referencedSecrets(step.with);
  const secrets: Record<string, string> = {};
  if (names.length > 0) {
    const values = await deps.store.secrets.values(names);
    for (const name of names) {
      const value = values.get(name);
      if (value === undefined) throw new NonRetriableError(`secret ${name} does not exist`);
      secrets[name] = value;
      recorder.hide(value, name);
    }
    for (const [name, bound] of await deps.store.secrets.bindings(names)) hosts.bind(name, bound);
  }
  const scope = (s: Record<string, string>) => ({
    event: job.event,
    data: job.event.data,
    steps: job.outputs,
    secrets: s,
    run: { id: job.runId, reaction: spec.name, version: job.run.version },
  });
  // One budget for the step, however many renderings it takes.
  const budget = new Budget('one step');
  const shown = renderValue(step.with, scope(placeholderSecrets(names)), budget) as Record<string, unknown>;
  if (!withValues || names.length === 0) return { shown };
  let real: Record<string, unknown>;
  try {
    real = renderValue(step.with, scope(secrets), budget) as Record<string, unknown>;
  } catch (err) {
    // Rendered with values, a message could quote one: say where, not what.
    throw new NonRetriableError(
      `rendering with the secrets' values failed${err instanceof TemplateError && err.path ? ` at ${err.path}` : ''}`,
    );
  }
  return { shown, real };
}

function contextFor(
  job: ClaimedJob,
  deps: EngineDeps,
  recorder: StepRecorder,
  signal: AbortSignal,
  now: () => Date,
  hosts = new HostBinding(),
): ActionContext {
  const idempotencyKey = `${job.runId}:${job.stepId}`;
  return {
    runId: job.runId,
    stepId: job.stepId,
    attempt: job.step.attempt,
    idempotencyKey,
    event: job.event,
    http: hosts.guard(deps.http),
    signal,
    now,
    log: (line) => recorder.log(line),
    async secret(name) {
      const value = (await deps.store.secrets.values([name])).get(name);
      if (value !== undefined) {
        recorder.hide(value, name);
        for (const [bound, patterns] of await deps.store.secrets.bindings([name])) hosts.bind(bound, patterns);
      }
      return value;
    },
    async emit(type, data) {
      // Keyed by the step, so a repeat after a crash stores the event once. An emitting action
      // is given placeholders only; redacting again keeps a value it looked up out of the event.
      const stored = await deps.store.events.append({
        type,
        source: `reaction:${job.run.reaction}`,
        data: recorder.redact(data),
        sourceKey: `emit:${idempotencyKey}`,
      });
      return stored ?? (await deps.store.events.getBySourceKey(`emit:${idempotencyKey}`));
    },
    async apiAccess() {
      const token = await deps.store.tokens.createForRun(job.runId, `run ${job.runId}`);
      return { url: deps.publicUrl(), token };
    },
    recordDeploy: (payload) => deps.recordDeploy(recorder.redact(payload)),
    kv: {
      get: (key) => deps.store.kv.get(`reaction:${job.run.reaction}`, key),
      set: (key, value, ttlMs) => deps.store.kv.set(`reaction:${job.run.reaction}`, key, value, ttlMs),
    },
    connection: (nameOrId) => connectionWithSecrets(deps, recorder, nameOrId),
    async connectionEnv(nameOrId) {
      const connection = await connectionWithSecrets(deps, recorder, nameOrId);
      const env = deps.scriptEnv(connection);
      // A declared-secret value may be built from a secret (a URL holding a token): hidden too.
      for (const { name, secret } of env.variables) if (secret && env.values[name] !== undefined) recorder.hide(env.values[name]);
      return { ...env, name: connection.name, type: connection.type };
    },
  };
}

/** A connection with its secrets, each hidden from the step's records from now on. */
async function connectionWithSecrets(deps: EngineDeps, recorder: StepRecorder, nameOrId: string) {
  const connection = await deps.store.connections.withSecrets(nameOrId);
  if (!connection) throw new NonRetriableError(`connection ${nameOrId} does not exist`);
  for (const value of Object.values(connection.secrets)) recorder.hide(value);
  return connection;
}

async function withTimeout<T>(work: Promise<T>, ms: number, abort: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort(new StepTimeout());
      reject(new StepTimeout());
    }, ms);
  });
  const cancelled = new Promise<never>((_, reject) => {
    abort.signal.addEventListener(
      'abort',
      () => reject(abort.signal.reason instanceof Error ? abort.signal.reason : new NonRetriableError('cancelled')),
      { once: true },
    );
  });
  try {
    return await Promise.race([work, timeout, cancelled]);
  } finally {
    clearTimeout(timer);
  }
}
