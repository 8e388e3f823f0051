import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { HAS_MEMORY_REDUCING_COLLECTION, QuietCollectionPolicy, memoryReducingCollection, returnMemoryWhenQuiet } from './idle-memory.js';

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

const youngGeneration = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;

describe('returnMemoryWhenQuiet, when the collection throws', () => {
  it('says so once and stops trying, without an exception that would end the process', async () => {
    let tries = 0;
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, message: string) => warnings.push(message), debug: () => undefined } as unknown as Logger;
    const stop = returnMemoryWhenQuiet({
      intervalMs: 10,
      growthBytes: 0,
      settleMs: 0,
      logger,
      collect: () => {
        tries++;
        throw new Error('no collection here');
      },
    });
    try {
      await expect
        .poll(() => warnings, { timeout: 5_000 })
        .toEqual(['could not give memory back after a quiet interval; not trying again']);
      // Asserting an absence needs a wait: ten more quiet intervals.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(tries).toBe(1);
    } finally {
      stop();
    }
  });
});

/** Short-lived objects, some surviving a while, grow the young generation as a burst would. */
function growYoungGeneration(): void {
  let kept: object[] = [];
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 200_000; i++) kept.push({ i, label: `deploy ${i}` });
    kept = kept.slice(-50_000);
  }
}

describe('memoryReducingCollection', () => {
  it('shrinks the young generation without leaving gc exposed to the process or to contexts made later; none on V8 11 (Node 20)', () => {
    if (!HAS_MEMORY_REDUCING_COLLECTION) {
      expect(memoryReducingCollection()).toBeUndefined();
      return;
    }
    growYoungGeneration();
    const before = youngGeneration();
    expect(before).toBeGreaterThan(4 * 1024 * 1024);
    memoryReducingCollection()!();
    // A plain full collection leaves it at its size; the memory-reducing one shrinks it to ~1 MB.
    expect(youngGeneration()).toBeLessThan(before / 2);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});
