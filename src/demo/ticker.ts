/**
 * A repeating task for the demo's feeders: runs `tick` after a random delay in [minMs, maxMs],
 * one tick at a time, until stopped. A failing tick is reported and the next one still runs, so
 * a hiccup does not end the show; after `stop()` nothing new starts and the tick in flight is
 * awaited, so closing leaves no timer or request behind.
 */
export interface Ticker {
  stop(): Promise<void>;
}

/** Starts ticking; see Ticker. */
export function startTicker(options: {
  minMs: number;
  maxMs: number;
  /** Delay before the first tick; default a random one in the range. */
  firstMs?: number;
  tick: () => Promise<void>;
  onError: (err: unknown) => void;
}): Ticker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const delay = () => options.minMs + Math.random() * Math.max(0, options.maxMs - options.minMs);

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      running = options
        .tick()
        .catch((err: unknown) => {
          if (!stopped) options.onError(err);
        })
        .then(() => {
          if (!stopped) schedule(delay());
        });
    }, ms);
  };
  schedule(options.firstMs ?? delay());

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
