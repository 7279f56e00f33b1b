import { createServer, type Server } from 'node:http';
import { closeServer, listen, readBody, sendJson } from '../../http/server-utils';
import { routePatterns } from './routes';
import type { SimulatorShared } from './shared';

/** The SaaS's OAuth2 client-credentials endpoint (§3, §9.5). Counts the tokens it issues. */
export class SimulatedTokenServer {
  private server: Server | undefined;
  tokenRequests = 0;
  refused = 0;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly listenPort: number,
    private readonly shared: SimulatorShared,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void (async () => {
        const pathname = new URL(req.url ?? '/', 'http://x').pathname;
        if (req.method !== 'POST' || !routePatterns.token.test(pathname))
          return sendJson(res, 404, { error: 'not_found' });
        const form = new URLSearchParams((await readBody(req, 8192)).toString('utf8'));
        const id = req.headers.authorization?.startsWith('Basic ')
          ? this.shared.checkBasic(req.headers.authorization)
          : undefined;
        if (!id) {
          this.refused++;
          return sendJson(res, 401, { error: 'unauthorized', error_description: 'Bad credentials' });
        }
        if (form.get('grant_type') !== 'client_credentials') {
          return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
        }
        this.tokenRequests++;
        const ttl = this.shared.options.tokenTtlSeconds;
        const token = this.shared.signer.mint(id, ttl, this.shared.now());
        sendJson(res, 200, {
          access_token: token,
          token_type: 'bearer',
          expires_in: ttl,
          scope: 'read write',
          jti: token.slice(-12),
        });
      })().catch(() => sendJson(res, 500, { error: 'server_error' }));
    });
    this.port = await listen(server, this.host, this.listenPort);
    this.server = server;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server, 0);
    this.server = undefined;
  }
}
