// Every server and temp resource a benchmark creates registers how to undo itself, so a failure
// or a Ctrl-C at any point still stops what it started (by pid) and removes what it created.
export class Cleanup {
  private entries: Array<{ what: string; fn: () => Promise<void> | void }> = [];
  private draining: Promise<void> = Promise.resolve();

  add(what: string, fn: () => Promise<void> | void): void {
    this.entries.push({ what, fn });
  }

  /**
   * Runs everything still registered, newest first, each once. Chained, so a Ctrl-C during a
   * regular cleanup waits for the stop already under way instead of exiting in the middle of it.
   */
  all(): Promise<void> {
    this.draining = this.draining.then(async () => {
      while (this.entries.length > 0) {
        const entry = this.entries.pop()!;
        try {
          await entry.fn();
        } catch (err) {
          console.error(`cleanup of ${entry.what} failed:`, err);
        }
      }
    });
    return this.draining;
  }
}
