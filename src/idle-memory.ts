import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from 'pino';

// A start, and later a burst of deploys, allocates far more than the server then keeps, and V8
// keeps its young generation at the size that burst grew it to: an idle Shipline on Node 26 held
// 14 MB of young generation with 3 MB in use, and 26 MB after 100,000 deploys. V8's memory reducer
// would give it back, but it judges the allocation rate by its last collections, and an idle
// server collects nothing: traced on Node 26, it found "high alloc" at every check and never ran.
// So the process runs that memory-reducing collection itself: once it is first quiet after its
// start, and after a burst once it has been quiet for `settleMs` (docs/decisions/0052). Not at
// every quiet moment: the next burst grows the young generation again, measured at 10–20% more
// CPU per request when it happened between every two rounds of the ingest benchmark. For the same
// reason bin/shipline turns V8's own reducer off: once woken, it shrank the young generation in
// every pause between bursts.

export interface QuietMemoryOptions {
  /** How often the process looks at its event loop and resident size; default 250 ms. */
  intervalMs?: number;
  /** Event-loop utilization under which an interval counts as quiet; default 0.05 (5%). */
  quietUtilization?: number;
  /** How long a burst's end must have been quiet before its memory is given back; default 30 s. */
  settleMs?: number;
  /** Growth of the resident size above its level after the last collection worth collecting for; default 8 MiB. */
  growthBytes?: number;
  logger?: Logger;
  /** What runs the collection; default `memoryReducingCollection()`. */
  collect?: (() => void) | undefined;
}

export interface QuietSample {
  /** Event-loop utilization over the last interval, 0–1. */
  utilization: number;
  /** Resident set size now, in bytes. */
  rss: number;
  /** Milliseconds on a monotonic clock, at the end of the interval. */
  now: number;
}

/**
 * When to collect: at the first quiet interval after the start; later, once the loop has been
 * quiet for `settleMs` straight and the resident size has grown by `growthBytes` above its lowest
 * since the last collection (so an idle server never collects again). Pure: tested without a
 * clock or a heap.
 */
export class QuietCollectionPolicy {
  /** The lowest RSS since the last collection; undefined before the first, which the start calls for. */
  private floor: number | undefined;
  private quietSince: number | undefined;

  constructor(
    private readonly quietUtilization: number,
    private readonly settleMs: number,
    private readonly growthBytes: number,
  ) {}

  /** True when this sample (the end of an interval `intervalMs` long) calls for a collection. */
  due(sample: QuietSample, intervalMs: number): boolean {
    if (this.floor !== undefined) this.floor = Math.min(this.floor, sample.rss);
    if (sample.utilization >= this.quietUtilization) {
      this.quietSince = undefined;
      return false;
    }
    if (this.floor === undefined) return true;
    this.quietSince ??= sample.now - intervalMs;
    return sample.now - this.quietSince >= this.settleMs && sample.rss - this.floor >= this.growthBytes;
  }

  /** Records a collection that left the process at `rssAfter` bytes. */
  collected(rssAfter: number): void {
    this.floor = rssAfter;
    this.quietSince = undefined;
  }
}

/** V8 12 and later (Node 22+) offer the memory-reducing collection; Node 20's V8 11 does not. */
export const HAS_MEMORY_REDUCING_COLLECTION = Number(process.versions.v8.split('.')[0]) >= 12;

type GcFunction = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's memory-reducing collection (the one it runs before it reports running out of memory: it
 * also shrinks the young generation and releases emptied pages), or undefined where it cannot be
 * had. V8 12 and later (Node 22+) take it as the `last-resort` flavor of `gc`; Node 20's V8 11 has
 * only its plain full collection, which gave back about 2 MiB of an idle Shipline and cost the
 * ingest's next rounds more CPU, so nothing is done there. `gc` is taken from a context made while
 * `--expose-gc` is on for that one synchronous moment, so the process's own global (and any
 * context made later) never has it; a `gc` the operator exposed is used as it is.
 */
export function memoryReducingCollection(): (() => void) | undefined {
  if (!HAS_MEMORY_REDUCING_COLLECTION) return undefined;
  const exposed = (globalThis as { gc?: unknown }).gc;
  let gc = typeof exposed === 'function' ? (exposed as GcFunction) : undefined;
  if (!gc) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as GcFunction;
    } catch {
      gc = undefined;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  if (typeof gc !== 'function') return undefined;
  const collect = gc;
  return () => collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Looks every `intervalMs` and collects when the policy says so. A collection blocks the event loop
 * for tens of ms, only after a quiet interval; the timer never keeps the process alive. Returns
 * the stop function.
 */
export function returnMemoryWhenQuiet(options: QuietMemoryOptions = {}): () => void {
  const collect = 'collect' in options ? options.collect : memoryReducingCollection();
  if (!collect) return () => undefined;
  const intervalMs = options.intervalMs ?? 250;
  const policy = new QuietCollectionPolicy(
    options.quietUtilization ?? 0.05,
    options.settleMs ?? 30_000,
    options.growthBytes ?? 8 * 1024 * 1024,
  );
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const current = performance.eventLoopUtilization();
    const sample = {
      utilization: performance.eventLoopUtilization(current, last).utilization,
      rss: process.memoryUsage.rss(),
      now: performance.now(),
    };
    last = current;
    if (!policy.due(sample, intervalMs)) return;
    try {
      collect();
    } catch (err) {
      // A timer's exception would end the process: memory is not worth that. No more tries.
      clearInterval(timer);
      options.logger?.warn({ err }, 'could not give memory back after a quiet interval; not trying again');
      return;
    }
    const rssAfter = process.memoryUsage.rss();
    policy.collected(rssAfter);
    // The collection's own time is not the next interval's work: it would read as busy.
    last = performance.eventLoopUtilization();
    const mib = (bytes: number) => +(bytes / 1048576).toFixed(1);
    options.logger?.debug(
      { rssBeforeMiB: mib(sample.rss), rssAfterMiB: mib(rssAfter), ms: +(performance.now() - sample.now).toFixed(1) },
      'returned memory after a quiet interval',
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
