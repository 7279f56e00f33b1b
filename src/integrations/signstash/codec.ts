import { PassThrough } from 'node:stream';
import { SignstashMalformedResponseError } from './errors';
import { StreamingJsonParser, type StringStreamSink } from './json-stream';
import type { AsyncOperation, SignDocument, SignedContentStore, SignRequest, SignResult } from './model';
import { base64ContentField, type WireErrorResponse, type WireSignatureInfo } from './wire';
import { documentSignStates, operationStates, stateOf, type WireProfile } from './wire-profile';

/** Where a result body puts what the client reads: the async profile's, or the verified `SignOperation`'s. */
export type ResultLayout = Pick<WireProfile, 'result' | 'document' | 'statusValues' | 'signStatusValues'>;

/**
 * The request body as a stream: JSON text around each document's base64, encoded while it is read from its source,
 * so a batch of thousands of documents never sits in memory.
 */
export async function* signRequestBody(request: SignRequest, names: WireProfile['request']): AsyncGenerator<Buffer> {
  const returnContent = names.returnSignedContent === null ? '' : `${JSON.stringify(names.returnSignedContent)}:true,`;
  yield Buffer.from(
    `{${JSON.stringify(names.externalReference)}:${JSON.stringify(request.externalReference)},${JSON.stringify(names.description)}:${JSON.stringify(request.description)},${returnContent}${JSON.stringify(names.documents)}:[`,
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

/** An operation object as the profile names its fields; its status mapped to Ferje's. */
export function parseAsyncOperation(value: unknown, profile: WireProfile): AsyncOperation {
  const f = profile.operation;
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const state = stateOf(profile.statusValues, v[f.status]);
  const id = v[f.id];
  const port = v[f.port];
  const missing = [
    typeof id === 'string' || typeof id === 'number' ? undefined : f.id,
    typeof v[f.externalReference] === 'string' ? undefined : f.externalReference,
    state ? undefined : f.status,
    typeof v[f.host] === 'string' && v[f.host] !== '' ? undefined : f.host,
    Number.isInteger(Number(port)) && port !== null && port !== '' ? undefined : f.port,
    typeof v[f.documentCount] === 'number' ? undefined : f.documentCount,
  ].filter((x) => x !== undefined);
  if (missing.length > 0) {
    throw new SignstashMalformedResponseError(
      `Sign'Stash answered with an operation whose ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing or not as profile ${profile.name} expects`,
    );
  }
  const signedCount = f.signedCount === null ? undefined : v[f.signedCount];
  const error = f.error === null ? undefined : v[f.error];
  return {
    id: text(id),
    externalReference: v[f.externalReference] as string,
    status: operationStates[state!],
    instance: { host: v[f.host] as string, port: Number(port) },
    creationDate: text(v[f.creationDate]),
    lastUpdateDate: f.lastUpdateDate === null ? '' : text(v[f.lastUpdateDate]),
    documentCount: v[f.documentCount] as number,
    ...(typeof signedCount === 'number' ? { signedCount } : {}),
    ...(error ? { error: error as WireErrorResponse } : {}),
  };
}

/** A scalar JSON value as text ('' for anything else): ids and dates may come as strings or numbers. */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * Reads a `SignOperation`/`AsyncSignResult` body, streaming each `documentList[i].signedContent` (base64) through the
 * store as decoded bytes while everything else is parsed in memory. Fails if a store fails or the body is malformed.
 */
export async function readSignResult<T>(
  body: AsyncIterable<Buffer | string>,
  store: SignedContentStore<T>,
  layout: ResultLayout,
): Promise<SignResult<T>> {
  const r = layout.result;
  const d = layout.document;
  const stored = new Map<number, Promise<T>>();
  let current: { pipe: PassThrough; carry: string } | undefined;
  let storeFailure: Error | undefined;
  const sink: StringStreamSink = {
    wants: (path) =>
      path.length === 3 && path[0] === r.documents && typeof path[1] === 'number' && path[2] === d.signedContent,
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
  const list = parsed?.[r.documents];
  const state = stateOf(layout.statusValues, parsed?.[r.status]);
  if (typeof parsed !== 'object' || parsed === null || !state || !Array.isArray(list)) {
    throw new SignstashMalformedResponseError(`Sign'Stash result lacks ${r.status} or ${r.documents}`);
  }
  const operationId = r.operationId === null ? undefined : parsed[r.operationId];
  const error = r.error === null ? undefined : parsed[r.error];
  return {
    operationNumber: Number(parsed[r.operationNumber]),
    ...(operationId !== undefined && operationId !== null ? { asyncOperationId: text(operationId) } : {}),
    status: operationStates[state],
    ...(error ? { error: error as WireErrorResponse } : {}),
    documents: list.map((raw, index) => {
      const doc = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const signState = stateOf(layout.signStatusValues, doc[d.signStatus]);
      if (typeof doc[d.externalReference] !== 'string' || !signState) {
        throw new SignstashMalformedResponseError(
          `Sign'Stash result document ${index} lacks ${d.externalReference} or ${d.signStatus}`,
        );
      }
      return {
        index,
        externalReference: doc[d.externalReference] as string,
        contentType: typeof doc[d.contentType] === 'string' ? (doc[d.contentType] as string) : '',
        signStatus: documentSignStates[signState],
        ...(typeof doc[d.signError] === 'string' ? { signError: doc[d.signError] as string } : {}),
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
