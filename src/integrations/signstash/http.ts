import { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { SignstashUnreachableError } from './errors';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer | AsyncIterable<Uint8Array>;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One undici Pool per origin: the load balancer, the token endpoint and each proxy instance get their own, so a
 * follow-up call is sent exactly where the operation lives and never re-routed. Network-level failures become
 * SignstashUnreachableError (what the workflow counts as "instance gone").
 */
export class HttpTransport {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly options: { connectTimeoutMs: number; connectionsPerOrigin: number; requestTimeoutMs: number },
  ) {}

  async request(origin: string, req: HttpRequest): Promise<Dispatcher.ResponseData> {
    try {
      return await this.pool(origin).request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body:
          req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body)
            ? req.body
            : Readable.from(req.body),
        headersTimeout: req.headersTimeoutMs ?? this.options.requestTimeoutMs,
        bodyTimeout: req.bodyTimeoutMs ?? this.options.requestTimeoutMs,
        signal: req.signal,
      });
    } catch (err) {
      throw toUnreachable(origin, err);
    }
  }

  origins(): string[] {
    return [...this.pools.keys()];
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connectionsPerOrigin,
        connectTimeout: this.options.connectTimeoutMs,
        keepAliveTimeout: 4_000,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

/** Errors raised while reading a response body are network failures too. */
export function toUnreachable(origin: string, err: unknown): Error {
  if (err instanceof SignstashUnreachableError) return err;
  const e = err as { name?: string; code?: string };
  if (e?.name === 'AbortError') return err as Error;
  if (typeof e?.code === 'string' && (e.code.startsWith('E') || e.code.startsWith('UND_ERR'))) {
    return new SignstashUnreachableError(origin, e.code);
  }
  return err as Error;
}
