import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { QuietCollectionPolicy, memoryReducingCollection, returnMemoryWhenQuiet } from './idle-memory.js';

const isMajor = (entry: PerformanceEntry) =>
  ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

const MiB = 1024 * 1024;
const TICK = 250;

describe('QuietCollectionPolicy', () => {
  const policy = () => new QuietCollectionPolicy(0.05, 30_000, 8 * MiB);
  const busy = (rss: number, now: number) => ({ utilization: 0.6, rss: rss * MiB, now });
  const quiet = (rss: number, now: number) => ({ utilization: 0.01, rss: rss * MiB, now });

  /** The policy's answer to each sample in turn, after `collectedAt` (MiB) if given. */
  const answers = (samples: ReturnType<typeof quiet>[], collectedAt?: number) => {
    const p = policy();
    if (collectedAt !== undefined) p.collected(collectedAt * MiB);
    return samples.map((sample) => p.due(sample, TICK));
  };

  it('collects at the first quiet interval after the start, not while the start is busy', () => {
    expect(answers([busy(100, 250), quiet(104, 500)])).toEqual([false, true]);
  });

  it('after a burst, waits until the loop has been quiet for the settling time straight', () => {
    // The busy interval at 30.25 s starts the wait again: quiet from 40 s, settled at 70 s.
    const samples = [
      busy(170, 10_000),
      quiet(170, 10_250),
      quiet(170, 30_000),
      busy(170, 30_250),
      quiet(170, 40_250),
      quiet(170, 69_750),
      quiet(170, 70_000),
    ];
    expect(answers(samples, 91)).toEqual([false, false, false, false, false, false, true]);
  });

  it('never collects again for an idle server, whose resident size does not grow', () => {
    // A lower reading (pages released after the collection) becomes the floor.
    expect(answers([quiet(98, 120_000), quiet(88, 240_000), quiet(96, 360_000)], 91)).toEqual([false, false, true]);
  });
});

describe('returnMemoryWhenQuiet', () => {
  it('collects once the event loop is quiet, not while it is busy', async () => {
    const collectedAt: number[] = [];
    const stop = returnMemoryWhenQuiet({ intervalMs: 20, growthBytes: 0, collect: () => collectedAt.push(performance.now()) });
    try {
      // 300 ms of work in 15 ms slices, timers free to run between them: every interval is busy.
      const busyUntil = performance.now() + 300;
      await new Promise<void>((resolve) => {
        const slice = () => {
          const end = Math.min(performance.now() + 15, busyUntil);
          while (performance.now() < end) {
            // the event loop is held, as by a burst of requests
          }
          if (performance.now() < busyUntil) setImmediate(slice);
          else resolve();
        };
        slice();
      });
      const quietFrom = performance.now();
      await expect.poll(() => collectedAt.length, { timeout: 5_000 }).toBe(1);
      expect(collectedAt[0]).toBeGreaterThanOrEqual(quietFrom);
    } finally {
      stop();
    }
  });
});

const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

describe('memoryReducingCollection', () => {
  it('runs a full collection without leaving gc exposed to the process or to contexts made later; none on V8 11 (Node 20)', async () => {
    if (V8_MAJOR < 12) {
      expect(memoryReducingCollection()).toBeUndefined();
      return;
    }
    const majors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (isMajor(entry)) majors.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      const collect = memoryReducingCollection();
      expect(collect).toBeTypeOf('function');
      collect!();
      // gc entries are delivered on a later turn of the event loop.
      await expect.poll(() => majors.length, { timeout: 5_000 }).toBeGreaterThan(0);
    } finally {
      observer.disconnect();
    }
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});
