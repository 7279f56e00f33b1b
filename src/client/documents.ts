import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from '@temporalio/client';
import { request } from 'undici';
import type { BlobRef } from '../contract/blob-ref';
import type { FlowDefinition } from '../contract/flow';
import { searchAttributes } from '../contract/search-attributes';
import { startFlow, type StartedFlow } from './flows';

/** Where the documents API is and the calling system's API key (`FERJE_DOCUMENTS_URL`, `FERJE_DOCUMENTS_API_KEY`). */
export interface DocumentsApi {
  url: string;
  apiKey?: string;
}

export function documentsApiFromEnv(env: Record<string, string | undefined> = process.env): DocumentsApi {
  return {
    url: (env.FERJE_DOCUMENTS_URL || 'http://127.0.0.1:8092').replace(/\/$/, ''),
    apiKey: env.FERJE_DOCUMENTS_API_KEY || undefined,
  };
}

export class DocumentsApiError extends Error {
  override readonly name = 'DocumentsApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PutDocumentOptions {
  mediaType?: string;
  fileName?: string;
  /** Ferje refuses the upload (422) and keeps nothing when the content's sha256 is not this one. */
  expectedSha256?: string;
}

const auth = (api: DocumentsApi): Record<string, string> =>
  api.apiKey ? { authorization: `Bearer ${api.apiKey}` } : {};

async function failure(status: number, body: { text(): Promise<string> }): Promise<DocumentsApiError> {
  const text = await body.text().catch(() => '');
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // not JSON: keep the text
  }
  return new DocumentsApiError(status, `documents API answered ${status}: ${message}`);
}

/**
 * Uploads a document by streaming it (a file path, a stream or bytes) and returns the BlobRef to put in a flow's
 * input. Ferje computes the sha256; give `expectedSha256` to have a corrupted transfer refused.
 */
export async function putDocument(
  api: DocumentsApi,
  content: string | Readable | Uint8Array,
  options: PutDocumentOptions = {},
): Promise<BlobRef> {
  const headers: Record<string, string> = { ...auth(api) };
  let body: Readable | Uint8Array;
  if (typeof content === 'string') {
    headers['content-length'] = String((await stat(content)).size);
    body = createReadStream(content, { highWaterMark: 1024 * 1024 });
  } else {
    body = content;
  }
  if (options.mediaType) headers['content-type'] = options.mediaType;
  if (options.fileName) headers['x-ferje-file-name'] = encodeURIComponent(options.fileName);
  if (options.expectedSha256) headers['x-ferje-expected-sha256'] = options.expectedSha256;
  const res = await request(`${api.url}/v1/documents`, { method: 'POST', headers, body });
  if (res.statusCode !== 201) throw await failure(res.statusCode, res.body);
  return (await res.body.json()) as BlobRef;
}

export interface FetchedDocument {
  status: 200 | 206;
  size: number;
  mediaType: string;
  sha256: string;
  fileName?: string;
  body: Readable;
}

/** Opens a document (or a byte range of it) as a stream. */
export async function getDocument(
  api: DocumentsApi,
  sha256: string,
  options: { range?: { start: number; end?: number } } = {},
): Promise<FetchedDocument> {
  const headers: Record<string, string> = { ...auth(api) };
  if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end ?? ''}`;
  const res = await request(`${api.url}/v1/documents/${encodeURIComponent(sha256)}`, { headers });
  if (res.statusCode !== 200 && res.statusCode !== 206) throw await failure(res.statusCode, res.body);
  const disposition = String(res.headers['content-disposition'] ?? '');
  const encodedName = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  return {
    status: res.statusCode,
    size: Number(res.headers['content-length']),
    mediaType: String(res.headers['content-type'] ?? 'application/octet-stream'),
    sha256: String(res.headers.etag ?? '').replace(/"/g, ''),
    ...(encodedName ? { fileName: decodeURIComponent(encodedName) } : {}),
    body: res.body,
  };
}

/** Downloads a document into a file. */
export async function saveDocument(api: DocumentsApi, sha256: string, file: string): Promise<FetchedDocument> {
  const doc = await getDocument(api, sha256);
  await pipeline(doc.body, createWriteStream(file));
  return doc;
}

/** The caller id the API knows this key by: the value of the FerjeCaller search attribute of this caller's flows. */
export async function documentsCaller(api: DocumentsApi): Promise<string> {
  const res = await request(`${api.url}/v1/caller`, { headers: auth(api) });
  if (res.statusCode !== 200) throw await failure(res.statusCode, res.body);
  return ((await res.body.json()) as { callerId: string }).callerId;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFlow = FlowDefinition<any, any>;
type InputOf<F> = F extends FlowDefinition<infer I, infer _O> ? I : never;

export interface DocumentToUpload extends PutDocumentOptions {
  /** A file path, a stream or the bytes. */
  content: string | Readable | Uint8Array;
}

/**
 * Uploads a flow's documents, builds its input from their BlobRefs and starts it with this caller's FerjeCaller
 * search attribute, so the documents the flow produces can be fetched by the same caller afterwards.
 */
export async function startFlowWithDocuments<F extends AnyFlow, K extends string>(
  client: Client,
  api: DocumentsApi,
  flow: F,
  documents: Record<K, DocumentToUpload>,
  buildInput: (refs: Record<K, BlobRef>) => InputOf<F>,
): Promise<StartedFlow<F> & { documents: Record<K, BlobRef> }> {
  const callerId = await documentsCaller(api);
  const refs = {} as Record<K, BlobRef>;
  for (const [key, doc] of Object.entries(documents) as [K, DocumentToUpload][]) {
    refs[key] = await putDocument(api, doc.content, doc);
  }
  const input = buildInput(refs);
  // startFlow's options are spread last; it sets integration and reference itself, so they are repeated here.
  const options = {
    typedSearchAttributes: [
      { key: searchAttributes.integration, value: flow.integration },
      { key: searchAttributes.externalReference, value: flow.externalReference(input) },
      { key: searchAttributes.caller, value: callerId },
    ],
  } as unknown as Parameters<typeof startFlow>[3];
  const started = await startFlow(client, flow, input, options);
  return { ...started, documents: refs };
}
