import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy between the server and PostgreSQL that a test can cut and slow down, to reproduce a
 * database that goes away or stops answering in time. Loopback only.
 */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1; connect here instead of to the target. */
  port: number;
  /** Drops every open connection and refuses new ones, as a database that went down. */
  cut(): Promise<void>;
  /** Accepts connections again (on the same port). */
  restore(): Promise<void>;
  /** Delays every chunk in both directions by `ms` (0 = no delay); order is kept. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** Forwards `from` to `to`, holding each chunk back by the proxy's current latency. */
function forward(from: Socket, to: Socket, latency: () => number): void {
  let releaseAt = 0;
  from.on('data', (chunk: Buffer) => {
    const delay = latency();
    if (delay === 0 && releaseAt <= Date.now()) {
      to.write(chunk);
      return;
    }
    // A later chunk never overtakes an earlier one.
    releaseAt = Math.max(Date.now() + delay, releaseAt);
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, releaseAt - Date.now()).unref();
  });
  from.on('close', () => to.destroy());
  from.on('error', () => to.destroy());
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let latencyMs = 0;
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    forward(client, upstream, () => latencyMs);
    forward(upstream, client, () => latencyMs);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    cut: async () => {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: () => listen(port),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: async () => {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
