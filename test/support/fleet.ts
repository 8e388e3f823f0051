import type { TestDatabase } from './databases.js';
import type { ServerOptions, ServerProcess } from './server-process.js';
import { startServer } from './server-process.js';
import { Sink } from './sink.js';

/**
 * What a multi-process test starts (server children, their database, a sink) and takes down in
 * one `close()`, whatever failed in between: children by SIGKILL, then the database and sink.
 */
export class Fleet {
  readonly servers: ServerProcess[] = [];
  readonly sink = new Sink();
  database: TestDatabase | undefined;

  async start(options: ServerOptions): Promise<ServerProcess> {
    const server = await startServer(options);
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    for (const server of this.servers) {
      server.signal('SIGKILL');
      await server.exited;
    }
    await this.database?.drop();
    await this.sink.close();
  }
}
