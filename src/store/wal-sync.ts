import fs from 'node:fs';

/**
 * Makes committed WAL frames durable with an `fdatasync` of the `-wal` file on libuv's thread
 * pool, so the event loop goes on reading and parsing requests while the disk works (an fsync
 * inside `COMMIT` under `synchronous=FULL` blocks it for the whole flush, ~2 ms on a virtual
 * disk). On Linux a sync through any descriptor of a file flushes all of the file's dirty
 * pages, whoever wrote them, so a sync begun after `COMMIT` returned covers that commit.
 */
export class WalSync {
  private fd: number | undefined;
  private inode = 0;
  /** The WAL's size when the last sync began (the stat that checks the descriptor reads it too). */
  bytes = 0;

  constructor(private readonly walFile: string) {}

  /** Resolves once every WAL frame written before the call is on disk; rejects if the flush fails. */
  sync(): Promise<void> {
    const fd = this.descriptor();
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  // Opened on first use (the WAL exists once something committed) and again should the file be
  // another one by now: SQLite removes the WAL when its last connection closes (another process
  // of the same data directory), and a descriptor of the removed file would sync nothing useful.
  private descriptor(): number {
    const { ino: current, size } = fs.statSync(this.walFile);
    this.bytes = size;
    if (this.fd === undefined || current !== this.inode) {
      this.close();
      this.fd = fs.openSync(this.walFile, 'r');
      this.inode = fs.fstatSync(this.fd).ino;
    }
    return this.fd;
  }
}
