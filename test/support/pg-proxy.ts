import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can lose a reply: armed with a marker, it lets the next
 * statement whose bytes carry the marker (its text on Parse, or its prepared name on Bind) reach
 * the server and run to the end (ReadyForQuery: committed, for a statement outside a transaction),
 * then drops the connection instead of passing the reply on. The client meets a terminated
 * connection for work the server did: the case a retry must not do twice.
 */
export interface PgProxy {
  /** A connection URL to the proxy for `url`'s database. */
  url: string;
  /** Drops the reply to the next statement whose Parse or Bind message contains `marker`; resolves once dropped. */
  dropReplyTo(marker: string): Promise<void>;
  close(): Promise<void>;
}

// ReadyForQuery: 'Z', length 5, transaction status (I idle, T in a transaction, E failed).
const readyForQuery = (data: Buffer) => data.length >= 6 && data[data.length - 6] === 0x5a && data.readInt32BE(data.length - 5) === 5;

export async function startPgProxy(target: string): Promise<PgProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  let armed: { marker: Buffer; dropped: () => void } | undefined;

  const server = net.createServer((client) => {
    const backend = net.connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.add(client).add(backend);
    const forget = () => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    client.on('error', forget).on('close', forget);
    backend.on('error', forget).on('close', forget);
    // Set when this connection sent the armed statement: its reply is held back until complete, then dropped.
    let dropping: (() => void) | undefined;
    let held = Buffer.alloc(0);
    client.on('data', (data: Buffer) => {
      if (armed && data.includes(armed.marker)) {
        dropping = armed.dropped;
        armed = undefined;
      }
      backend.write(data);
    });
    backend.on('data', (data: Buffer) => {
      if (!dropping) {
        client.write(data);
        return;
      }
      held = Buffer.concat([held, data]);
      if (!readyForQuery(held)) return;
      const dropped = dropping;
      forget();
      dropped();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    dropReplyTo: (marker) =>
      new Promise((resolve) => {
        armed = { marker: Buffer.from(marker), dropped: resolve };
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
