import { PassThrough } from 'node:stream';
import { SignstashMalformedResponseError } from './errors';
import { StreamingJsonParser, type StringStreamSink } from './json-stream';
import type { AsyncOperation, SignDocument, SignedContentStore, SignRequest, SignResult } from './model';
import {
  base64ContentField,
  documentListField,
  signedContentField,
  type WireAsyncOperation,
  type WireErrorResponse,
  type WireSignatureInfo,
} from './wire';

const STATUSES = ['PENDING_EXECUTION', 'EXECUTED', 'EXECUTION_ERROR', 'EXECUTION_FAILED'];
const SIGN_STATUSES = ['RECEIVED', 'SIGNED', 'ERROR_SIGNING'];

/**
 * The request body as a stream: JSON text around each document's base64, encoded while it is read from its source,
 * so a batch of thousands of documents never sits in memory.
 */
export async function* signRequestBody(request: SignRequest): AsyncGenerator<Buffer> {
  yield Buffer.from(
    `{"externalReference":${JSON.stringify(request.externalReference)},"description":${JSON.stringify(request.description)},"returnSignedContent":true,"documents":[`,
  );
  for (const [i, doc] of request.documents.entries()) {
    yield Buffer.from(
      `${i > 0 ? ',' : ''}{"documentRequest":{"externalReference":${JSON.stringify(doc.externalReference)},"name":${JSON.stringify(doc.name)},"contentType":${JSON.stringify(doc.contentType)},"${base64ContentField}":"`,
    );
    let carry = Buffer.alloc(0);
    for await (const chunk of await doc.content.open()) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
      const whole = bytes.length - (bytes.length % 3);
      if (whole > 0) yield Buffer.from(bytes.subarray(0, whole).toString('base64'));
      carry = bytes.subarray(whole);
    }
    if (carry.length > 0) yield Buffer.from(carry.toString('base64'));
    yield Buffer.from(`"},"signatureInfo":${JSON.stringify(signatureInfo(doc))}}`);
  }
  yield Buffer.from(']}');
}

function signatureInfo(doc: SignDocument): WireSignatureInfo {
  const s = doc.signature;
  const info: WireSignatureInfo = { signatureType: s.signatureType, applyTimestamp: s.applyTimestamp ?? false };
  if (s.reason !== undefined) info.reason = s.reason;
  if (s.location !== undefined) info.location = s.location;
  if (s.visibleSignature !== undefined) info.visibleSignatureInfo = { ...s.visibleSignature };
  if (s.advancedSignature !== undefined) info.advancedSignatureInfo = { ...s.advancedSignature };
  return info;
}

export function parseAsyncOperation(value: unknown): AsyncOperation {
  const v = value as Partial<WireAsyncOperation> | undefined;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.id !== 'string' ||
    typeof v.externalReference !== 'string' ||
    !STATUSES.includes(v.status as string) ||
    typeof v.host !== 'string' ||
    v.host === '' ||
    !Number.isInteger(v.port) ||
    typeof v.documentCount !== 'number'
  ) {
    throw new SignstashMalformedResponseError(
      "Sign'Stash answered with an AsyncOperation that lacks id, status, host or port",
    );
  }
  return {
    id: v.id,
    externalReference: v.externalReference,
    status: v.status!,
    instance: { host: v.host, port: v.port! },
    creationDate: String(v.creationDate ?? ''),
    lastUpdateDate: String(v.lastUpdateDate ?? ''),
    documentCount: v.documentCount,
    ...(typeof v.signedCount === 'number' ? { signedCount: v.signedCount } : {}),
    ...(v.error ? { error: v.error } : {}),
  };
}

/**
 * Reads a `SignOperation`/`AsyncSignResult` body, streaming each `documentList[i].signedContent` (base64) through the
 * store as decoded bytes while everything else is parsed in memory. Fails if a store fails or the body is malformed.
 */
export async function readSignResult<T>(
  body: AsyncIterable<Buffer | string>,
  store: SignedContentStore<T>,
): Promise<SignResult<T>> {
  const stored = new Map<number, Promise<T>>();
  let current: { pipe: PassThrough; carry: string } | undefined;
  let storeFailure: Error | undefined;
  const sink: StringStreamSink = {
    wants: (path) =>
      path.length === 3 &&
      path[0] === documentListField &&
      typeof path[1] === 'number' &&
      path[2] === signedContentField,
    start(path) {
      const index = path[1] as number;
      const pipe = new PassThrough();
      current = { pipe, carry: '' };
      const promise = store(index, pipe);
      promise.catch((err: unknown) => {
        storeFailure ??= err instanceof Error ? err : new Error(String(err));
        pipe.resume();
      });
      stored.set(index, promise);
    },
    async write(piece) {
      const c = current!;
      const text = c.carry + piece;
      const whole = text.length - (text.length % 4);
      c.carry = text.slice(whole);
      if (whole > 0 && !c.pipe.write(Buffer.from(text.slice(0, whole), 'base64'))) await drained(c.pipe);
    },
    end() {
      const c = current!;
      if (c.carry.length > 0) c.pipe.write(Buffer.from(c.carry, 'base64'));
      c.pipe.end();
      current = undefined;
    },
  };
  const parser = new StreamingJsonParser(sink);
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of body) {
      await parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      if (storeFailure) throw storeFailure;
    }
    await parser.feed(decoder.decode());
  } finally {
    current?.pipe.destroy();
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.finish() as Record<string, unknown>;
  } catch (err) {
    throw new SignstashMalformedResponseError(`Sign'Stash result is not valid JSON: ${(err as Error).message}`);
  }
  const storedValues = new Map<number, T>();
  for (const [index, promise] of stored) storedValues.set(index, await promise);
  const list = parsed?.[documentListField];
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !STATUSES.includes(parsed.status as string) ||
    !Array.isArray(list)
  ) {
    throw new SignstashMalformedResponseError("Sign'Stash result lacks status or documentList");
  }
  return {
    operationNumber: Number(parsed.id),
    ...(typeof parsed.asyncOperationId === 'string' ? { asyncOperationId: parsed.asyncOperationId } : {}),
    status: parsed.status as SignResult<T>['status'],
    ...(parsed.error ? { error: parsed.error as WireErrorResponse } : {}),
    documents: list.map((raw, index) => {
      const d = raw as Record<string, unknown>;
      if (typeof d?.externalReference !== 'string' || !SIGN_STATUSES.includes(d.signStatus as string)) {
        throw new SignstashMalformedResponseError(
          `Sign'Stash result document ${index} lacks externalReference or signStatus`,
        );
      }
      return {
        index,
        externalReference: d.externalReference,
        contentType: typeof d.contentType === 'string' ? d.contentType : '',
        signStatus: d.signStatus as SignResult<T>['documents'][number]['signStatus'],
        ...(typeof d.signError === 'string' ? { signError: d.signError } : {}),
        ...(storedValues.has(index) ? { stored: storedValues.get(index) } : {}),
      };
    }),
  };
}

/**
 * Resolves once the store has taken what was written. The parser may end the stream in the same pass in which a write
 * asked for backpressure, and a Writable that is ending never emits 'drain': 'finish'/'close' count as drained too.
 */
function drained(pipe: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      pipe.off('drain', done);
      pipe.off('finish', done);
      pipe.off('close', done);
      resolve();
    };
    pipe.on('drain', done);
    pipe.on('finish', done);
    pipe.on('close', done);
  });
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
