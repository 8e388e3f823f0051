/**
 * Holds the next SQLite deploy batch, after a busy one was answered, while the clients just
 * answered are visibly coming back, so closed-loop clients (50 keep-alive connections that each
 * send again once answered) commit together instead of in two halves that take turns
 * (docs/decisions/0036, 0044). Every commit rewrites the right edge of every index, so fewer,
 * larger commits write fewer bytes per deploy.
 *
 * The wait is bounded in event-loop turns, not by a timer that a busy loop runs late:
 * - it starts only when deploys are expected back (`begin`), and lasts until the first deploy
 *   arrives (the poll phase blocks meanwhile, costing no CPU);
 * - from then on each turn must bring new deploys to go on: the first turn that brings nothing
 *   new ends it, and so does `maxTurns`, or as many deploys queued as are expected;
 * - it ends too at the first turn that finds `windowMs` passed, and the window's timer ends it
 *   for clients that never come back on an otherwise idle loop;
 * - with the shared group commit (SQLite's store), it holds that commit, does not start while
 *   other work waits for it, and ends when such work is submitted (the engine's outcomes).
 * Senders that do not wait for their answers (a steady stream) are held for at most the time to
 * their next deploy and the turns that keep bringing more: every turn of the wait adds deploys
 * to the batch, so the commits keep pace with the stream.
 */
export class ClientGathering {
  private state:
    { until: number; seen: number; turns: number; started: number; timer: NodeJS.Timeout; unhold: (() => void) | undefined } | undefined;
  private turnScheduled = false;

  constructor(
    /** How many deploys are queued now. */
    private readonly queued: () => number,
    /** Called once the wait ends: the caller schedules its batch. */
    private readonly release: () => void,
    private readonly windowMs: number,
    private readonly maxTurns: number,
    /**
     * Holds the shared group commit while gathering, ending the gathering when other work is
     * submitted to it; returns its release, or undefined if work waits already (group-commit.ts).
     */
    private readonly hold?: (interrupted: () => void) => (() => void) | undefined,
  ) {}

  /** Whether the next batch is held. */
  get active(): boolean {
    return this.state !== undefined;
  }

  /**
   * Holds the next batch until `waiting + back` deploys are queued, or as described above:
   * `waiting` were queued when the last batch was answered, `back` clients were answered.
   */
  begin(waiting: number, back: number): void {
    const until = waiting + back;
    if (this.state || this.queued() >= until) return;
    let unhold: (() => void) | undefined;
    if (this.hold) {
      unhold = this.hold(() => this.end());
      if (!unhold) return;
    }
    const timer = setTimeout(() => this.end(), this.windowMs);
    this.state = { until, seen: waiting, turns: 0, started: performance.now(), timer, unhold };
    // Clients may be back already (an answer's callbacks run before this): their turn counts.
    if (this.queued() > waiting) this.awaitTurn();
  }

  /** A deploy was queued. */
  arrived(): void {
    if (!this.state) return;
    if (this.queued() >= this.state.until) return this.end();
    this.awaitTurn();
  }

  /** After the poll phase that brought a deploy: whether the turns after it bring more. */
  private awaitTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.onTurn);
  }

  private readonly onTurn = () => {
    this.turnScheduled = false;
    const state = this.state;
    if (!state) return;
    const now = this.queued();
    // The clock is read at a turn, not set as a timer: a long turn ends the wait right after it.
    if (now === state.seen || ++state.turns >= this.maxTurns || performance.now() - state.started >= this.windowMs) return this.end();
    state.seen = now;
    // An immediate keeps the next poll from blocking: it only collects what has arrived by then.
    this.awaitTurn();
  };

  private end(): void {
    if (!this.state) return;
    const { timer, unhold } = this.state;
    clearTimeout(timer);
    this.state = undefined;
    // The batch is scheduled before the group commit is let go, so they meet in one turn.
    this.release();
    unhold?.();
  }
}
