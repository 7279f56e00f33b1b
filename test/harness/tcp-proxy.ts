import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on loopback that can stall: while stalled, bytes in both directions are held (a network that
 * stopped delivering), so a request in flight hangs until `resume()` or until one side gives up. Used where a
 * simulator has no latency switch of its own and a test must catch an activity in the middle of a call.
 */
export class StallableTcpProxy {
  private stalled = false;
  private readonly held: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();

  private readonly server: Server;
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => this.forward(client, target.host, target.port));
  }

  static async start(options: { targetPort: number; targetHost?: string; host?: string }): Promise<StallableTcpProxy> {
    const host = options.host ?? '127.0.0.1';
    const proxy = new StallableTcpProxy({ host: options.targetHost ?? host, port: options.targetPort });
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, host, () => resolve());
    });
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  private forward(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    }
    const relay = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        const send = (): void => {
          if (!to.destroyed) to.write(chunk);
        };
        if (this.stalled) this.held.push(send);
        else send();
      });
      from.once('end', () => {
        const end = (): void => {
          if (!to.destroyed) to.end();
        };
        if (this.stalled) this.held.push(end);
        else end();
      });
      from.once('error', () => to.destroy());
      from.once('close', () => to.destroy());
    };
    relay(client, upstream);
    relay(upstream, client);
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const send of this.held.splice(0)) send();
  }

  async close(): Promise<void> {
    this.resume();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
