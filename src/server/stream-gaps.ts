/** How long a skipped position is looked for: longer than any ingest or engine commit takes. */
export const GAP_WAIT_MS = 30_000;
/** At most this many skipped positions are looked for at once (the newest are kept). */
export const MAX_GAPS = 2_000;

/**
 * The positions a live stream passed over. Event positions (`seq`) are taken when a transaction
 * inserts and become visible when it commits, so with several writers a stream that has read
 * position 10 can still see 9 commit afterwards. Each skipped position is looked for until it
 * appears or `waitMs` passes (a rolled-back insert leaves a position that never appears).
 */
export class StreamGaps {
  private readonly open = new Map<number, number>();

  constructor(
    private readonly waitMs = GAP_WAIT_MS,
    private readonly max = MAX_GAPS,
  ) {}

  /** Notes the positions between the last one read and the next one, at `now`. */
  passed(last: number, next: number, now: number): void {
    const from = Math.max(last + 1, next - this.max);
    for (let seq = from; seq < next; seq++) this.open.set(seq, now + this.waitMs);
    for (const seq of this.open.keys()) {
      if (this.open.size <= this.max) break;
      this.open.delete(seq);
    }
  }

  /** The positions still looked for at `now`, oldest first; those waited for long enough are dropped. */
  pending(now: number): number[] {
    for (const [seq, until] of this.open) if (until <= now) this.open.delete(seq);
    return [...this.open.keys()].sort((a, b) => a - b);
  }

  found(seq: number): void {
    this.open.delete(seq);
  }
}
