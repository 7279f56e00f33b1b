import { createServer, request as httpRequest, type Server } from 'node:http';
import { closeServer, listen, sendJson } from '../../http/server-utils';
import { routePatterns } from './routes';
import { viaLoadBalancerHeader, type SimulatedInstance } from './instance';

/**
 * Round-robin front of the instances, with passive health checks (an instance that refuses the connection is
 * skipped). It forwards anything, as a real one would; follow-up calls arriving here are counted because Ferje must
 * never send them through the balancer.
 */
export class SimulatedLoadBalancer {
  private server: Server | undefined;
  private next = 0;
  port = 0;
  starts = 0;
  /** Status/result calls that came through the balancer: affinity broken by the client. */
  followUpCalls = 0;

  constructor(
    private readonly host: string,
    private readonly listenPort: number,
    private readonly instances: SimulatedInstance[],
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void (async () => {
        const pathname = new URL(req.url ?? '/', 'http://x').pathname;
        if (routePatterns.asyncStart.test(pathname) || routePatterns.syncSign.test(pathname)) this.starts++;
        else if (routePatterns.asyncStatus.test(pathname) || routePatterns.asyncDetail.test(pathname)) {
          this.followUpCalls++;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        // The balancer buffers the body, so it forwards it with a length instead of chunked.
        const { 'transfer-encoding': _chunked, ...headers } = req.headers;
        for (let tries = 0; tries < this.instances.length; tries++) {
          const target = this.instances[this.next++ % this.instances.length];
          if (!target.running) continue;
          const forwarded = await new Promise<boolean>((resolve) => {
            const upstream = httpRequest(
              {
                host: this.host,
                port: target.port,
                method: req.method,
                path: req.url,
                headers: { ...headers, [viaLoadBalancerHeader]: '1', 'content-length': String(body.length) },
              },
              (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
                up.on('end', () => resolve(true));
                up.on('error', () => resolve(true));
              },
            );
            // Like common balancers, a POST is only tried on the next instance if the connection was refused:
            // once the request reached an instance it may have acted on it, and the client gets a 502.
            upstream.on('error', (err: NodeJS.ErrnoException) => {
              if (err.code === 'ECONNREFUSED' && !res.headersSent) return resolve(false);
              if (!res.headersSent) sendJson(res, 502, { error: 'bad gateway' });
              resolve(true);
            });
            upstream.end(body);
          });
          if (forwarded) return;
        }
        sendJson(res, 503, { error: 'no instance available' });
      })().catch(() => {
        if (!res.headersSent) sendJson(res, 502, { error: 'bad gateway' });
      });
    });
    this.port = await listen(server, this.host, this.listenPort);
    this.server = server;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server, 0);
    this.server = undefined;
  }
}
