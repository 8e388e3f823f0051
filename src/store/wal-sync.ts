import fs from 'node:fs';

/**
 * Makes committed WAL frames durable with an `fdatasync` of the `-wal` file on libuv's thread
 * pool, so the event loop goes on reading and parsing requests while the disk works (an fsync
 * inside `COMMIT` under `synchronous=FULL` blocks it for the whole flush, ~2 ms on a virtual
 * disk). On Linux a sync through any descriptor of a file flushes all of the file's dirty
 * pages, whoever wrote them, so a sync begun after `COMMIT` returned covers that commit.
 *
 * Several syncs may run at once (a commit made while an earlier one's sync runs, decision 0048).
 * A sync that fails may leave its frames unwritten while a later one succeeds (Linux reports a
 * writeback error once), and SQLite reads the WAL back only up to its first bad frame, so a
 * commit counts as durable only when its own sync and every sync begun before it succeeded.
 */
export class WalSync {
  private fd: number | undefined;
  private inode = 0;
  /** The syncs begun and not yet ended. */
  private readonly running = new Set<Promise<void>>();
  /** The WAL's size when the last sync began (the stat that checks the descriptor reads it too). */
  bytes = 0;

  constructor(private readonly walFile: string) {}

  /**
   * Begins a sync now. Resolves once every WAL frame written before the call is on disk: this
   * sync and every one begun before it succeeded; rejects if any of them failed.
   */
  sync(): Promise<void> {
    const earlier = [...this.running];
    const own = this.flush();
    this.running.add(own);
    const ended = () => void this.running.delete(own);
    own.then(ended, ended);
    return earlier.length === 0 ? own : Promise.all([...earlier, own]).then(() => undefined);
  }

  /** Resolves once every sync begun so far succeeded (at once if none runs); rejects if one failed. */
  synced(): Promise<void> {
    return this.running.size === 0 ? Promise.resolve() : Promise.all([...this.running]).then(() => undefined);
  }

  /** Resolves once every sync begun so far has ended, whatever its outcome. */
  async ended(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Whether a sync is running. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): Promise<void> {
    let fd: number;
    try {
      fd = this.descriptor();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  // Opened on first use (the WAL exists once something committed) and again should the file be
  // another one by now: SQLite removes the WAL when its last connection closes (another process
  // of the same data directory), and a descriptor of the removed file would sync nothing useful.
  private descriptor(): number {
    const { ino: current, size } = fs.statSync(this.walFile);
    this.bytes = size;
    if (this.fd === undefined || current !== this.inode) {
      // A sync still running has the old descriptor: it is closed once that sync has ended.
      const old = this.fd;
      if (old !== undefined) void this.ended().then(() => fs.close(old, () => undefined));
      this.fd = fs.openSync(this.walFile, 'r');
      this.inode = fs.fstatSync(this.fd).ino;
    }
    return this.fd;
  }
}
