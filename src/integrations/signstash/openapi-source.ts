import { isOpenApiDocument } from './openapi-check';

/** Where Spring applications publish their OpenAPI document by default: springdoc, springfox, then common names. */
export const defaultOpenApiPaths = ['/v3/api-docs', '/v2/api-docs', '/swagger.json', '/openapi.json'] as const;

export type OpenApiLookup =
  { found: true; url: string; doc: Record<string, unknown> } | { found: false; tried: { url: string; why: string }[] };

/**
 * Fetches the proxy's OpenAPI document: from `openApiUrl` when configured, else from each Spring default under the
 * proxy's base (`<baseUrl><basePath>/v3/api-docs`, …) in turn. No credentials are sent: springdoc and springfox serve
 * the document to the Swagger UI without them.
 */
export async function findOpenApiDocument(options: {
  baseUrl: string;
  basePath: string;
  openApiUrl?: string;
  timeoutMs: number;
}): Promise<OpenApiLookup> {
  const base = options.baseUrl.replace(/\/$/, '');
  const urls = options.openApiUrl
    ? [options.openApiUrl]
    : defaultOpenApiPaths.map((p) => `${base}${options.basePath}${p}`);
  const tried: { url: string; why: string }[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!res.ok) {
        tried.push({ url, why: `HTTP ${res.status}` });
        await res.body?.cancel();
        continue;
      }
      const doc: unknown = await res.json().catch(() => undefined);
      if (isOpenApiDocument(doc)) return { found: true, url, doc };
      tried.push({ url, why: 'not a Swagger 2 / OpenAPI 3 JSON document' });
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string }; message?: string };
      tried.push({ url, why: e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message ?? 'failed') });
    }
  }
  return { found: false, tried };
}
