import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
}

/**
 * A real OTLP/HTTP trace receiver on loopback (the JSON encoding, `POST /v1/traces`): it decodes every export the
 * way a collector would and keeps the spans, with their service name, for assertions.
 */
export async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: OtlpAttribute[] };
          scopeSpans: {
            spans: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes: OtlpAttribute[] })[];
          }[];
        }[];
      };
      const flat = (attrs: OtlpAttribute[]): Record<string, unknown> =>
        Object.fromEntries(attrs.map((a) => [a.key, Object.values(a.value)[0]]));
      for (const rs of body.resourceSpans) {
        const service = String(flat(rs.resource.attributes)['service.name']);
        for (const scope of rs.scopeSpans) {
          for (const s of scope.spans) {
            const span: ReceivedSpan = { ...s, service, attributes: flat(s.attributes) };
            spans.push(span);
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
