import { randomUUID } from 'node:crypto';
import type { SimContext } from './context.js';
import { wants } from './filter.js';
import type { Batch } from './payload.js';
import { webhookPayload } from './payload.js';
import { timeSpanMs } from './time.js';
import type { SimEvent, SimSubscription } from './types.js';
import { WebhookPoster } from './webhook-post.js';

/** One webhook POST attempted (or dropped on purpose), for `GET /_sim/deliveries`. */
export interface DeliveryRecord {
  subscriptionId: string;
  eventId: string;
  category: string;
  url: string;
  /** The receiver's HTTP status; null when it never answered or the delivery was dropped. */
  status: number | null;
  /** Why there is no status: a network error, `timed out after ...`, or `dropped`. */
  error: string | null;
  /** 1 for the first POST of this event to this subscription, 2 for the next (retry or duplicate)... */
  attempt: number;
  batchId: string;
  at: string;
}

/** While something is pending after a failed batch, it is retried at least this often. */
const RETRY_MS = 1000;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Webhook delivery as Octopus does it: events queue per subscription; a batch takes every pending
 * event and POSTs them one after another; a non-2xx answer or a timeout aborts the rest of the
 * batch, and what was not delivered stays pending for the next batch. With `batchIntervalMs` 0
 * a batch runs as soon as an event is recorded (events of the same tick share it); otherwise
 * batches run on that interval, as Octopus's ~30 s subscription task does.
 */
export class Delivery {
  readonly records: DeliveryRecord[] = [];
  private readonly pending = new Map<string, SimEvent[]>();
  private readonly attempts = new Map<string, number>();
  private readonly running = new Map<string, Promise<boolean>>();
  /** Subscriptions asked to run again while their batch was running. */
  private readonly rerun = new Set<string>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly poster = new WebhookPoster();
  private soon: NodeJS.Immediate | undefined;
  private retry: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: () => SimContext,
    private readonly batchIntervalMs: number,
  ) {
    if (batchIntervalMs > 0) this.interval = setInterval(() => this.runAll(), batchIntervalMs);
  }

  /** Queues a new event for every subscription that wants it. */
  enqueue(event: SimEvent): void {
    if (this.stopped) return;
    const { state } = this.ctx();
    for (const subscription of state.subscriptions) {
      if (!wants(state, subscription, event)) continue;
      this.pending.set(subscription.id, [...(this.pending.get(subscription.id) ?? []), event]);
    }
    if (this.batchIntervalMs === 0) this.runSoon();
  }

  /** Events waiting for a subscription (all subscriptions when none is named). */
  pendingFor(subscriptionId?: string): SimEvent[] {
    if (subscriptionId !== undefined) return [...(this.pending.get(subscriptionId) ?? [])];
    return [...this.pending.values()].flat();
  }

  /** Forgets what a deleted subscription still had pending. */
  forget(subscriptionId: string): void {
    this.pending.delete(subscriptionId);
  }

  /** Runs a batch for every subscription with pending events now (also `POST /_sim/delivery/flush`). */
  runAll(): void {
    if (this.stopped) return;
    for (const [subscriptionId, events] of this.pending) {
      if (events.length === 0) continue;
      if (this.running.has(subscriptionId)) {
        this.rerun.add(subscriptionId);
        continue;
      }
      // A bug in a batch must not become an unhandled rejection: count it as a failed batch.
      const run = this.runBatch(subscriptionId)
        .catch(() => true)
        .finally(() => this.running.delete(subscriptionId));
      this.running.set(subscriptionId, run);
      void run.then((aborted) => this.afterBatch(subscriptionId, aborted));
    }
  }

  /** Stops everything: timers, sleeps, requests in flight; resolves once no batch is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.soon) clearImmediate(this.soon);
    if (this.retry) clearTimeout(this.retry);
    if (this.interval) clearInterval(this.interval);
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    this.sleeps.clear();
    this.poster.destroy();
    await Promise.allSettled([...this.running.values()]);
    this.pending.clear();
  }

  private runSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      this.runAll();
    });
  }

  /**
   * A batch asked for while this one ran (a new event, a flush) runs now, failed events included;
   * otherwise what a failed batch left is retried within RETRY_MS (or at the next interval).
   */
  private afterBatch(subscriptionId: string, aborted: boolean): void {
    const again = this.rerun.delete(subscriptionId);
    if (this.stopped || (this.pending.get(subscriptionId)?.length ?? 0) === 0) return;
    if (again) return this.runSoon();
    if (!aborted || this.batchIntervalMs > 0 || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.runAll();
    }, RETRY_MS);
  }

  /** Resolves true when the batch was cut short, leaving events pending. */
  private async runBatch(subscriptionId: string): Promise<boolean> {
    const events = [...(this.pending.get(subscriptionId) ?? [])];
    const batch: Batch = { id: randomUUID(), processingDate: Date.now(), total: events.length };
    for (const [index, event] of events.entries()) {
      const subscription = this.ctx().state.subscriptions.find((s) => s.id === subscriptionId);
      if (this.stopped) return true;
      if (!subscription) {
        this.pending.delete(subscriptionId);
        return false;
      }
      // A subscription disabled meanwhile keeps its events until it is enabled and another comes.
      if (subscription.isDisabled || subscription.webhookUri === null) return false;
      if (this.shouldDrop(event)) {
        this.record(subscription, event, batch, null, 'dropped');
        this.delivered(subscription, event, batch);
        continue;
      }
      const copies = this.ctx().settings.duplicate ? 2 : 1;
      for (let copy = 0; copy < copies; copy += 1) {
        if (!(await this.post(subscription, event, batch, index + 1))) return true; // aborts the batch
      }
      this.delivered(subscription, event, batch);
    }
    return false;
  }

  /** Whether to skip this delivery on purpose, counting down a numeric `drop`. */
  private shouldDrop(event: SimEvent): boolean {
    const settings = this.ctx().settings;
    if (settings.dropCategories.some((c) => c.toLowerCase() === event.category.toLowerCase())) return true;
    if (settings.drop === true) return true;
    if (typeof settings.drop === 'number' && settings.drop > 0) {
      settings.drop -= 1;
      if (settings.drop === 0) settings.drop = false;
      return true;
    }
    return false;
  }

  private async post(subscription: SimSubscription, event: SimEvent, batch: Batch, eventNumber: number): Promise<boolean> {
    const ctx = this.ctx();
    if (ctx.settings.delayMs > 0) await this.sleep(ctx.settings.delayMs);
    if (this.stopped) return false;
    const url = subscription.webhookUri ?? '';
    const body = JSON.stringify(webhookPayload(ctx.baseUrl(), subscription, event, batch, eventNumber, ctx.settings.sensitiveHeaderValues));
    const headers: Record<string, string> = {};
    if (subscription.webhookHeaderKey) headers[subscription.webhookHeaderKey] = subscription.webhookHeaderValue ?? '';
    const timeoutMs = timeSpanMs(subscription.webhookTimeout, DEFAULT_TIMEOUT_MS);
    const result = await this.poster.post(url, body, headers, timeoutMs);
    if (this.stopped) return false;
    this.record(subscription, event, batch, result.status, result.error);
    return result.status !== null && result.status >= 200 && result.status < 300;
  }

  private delivered(subscription: SimSubscription, event: SimEvent, batch: Batch): void {
    const left = (this.pending.get(subscription.id) ?? []).filter((e) => e.id !== event.id);
    this.pending.set(subscription.id, left);
    subscription.webhookLastProcessed = batch.processingDate;
    subscription.webhookLastProcessedEventAutoId = Math.max(subscription.webhookLastProcessedEventAutoId ?? 0, event.autoId);
  }

  private record(subscription: SimSubscription, event: SimEvent, batch: Batch, status: number | null, error: string | null): void {
    const key = `${subscription.id}/${event.id}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    this.records.push({
      subscriptionId: subscription.id,
      eventId: event.id,
      category: event.category,
      url: subscription.webhookUri ?? '',
      status,
      error,
      attempt,
      batchId: batch.id,
      at: new Date().toISOString(),
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(sleep);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleeps.add(sleep);
    });
  }
}
