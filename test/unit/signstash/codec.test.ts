import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseRetryAfter, readSignResult, signRequestBody } from '../../../src/integrations/signstash/codec';
import { JsonSyntaxError, StreamingJsonParser } from '../../../src/integrations/signstash/json-stream';
import { DocumentContent, SignRequestBuilder } from '../../../src/integrations/signstash/model';
import { defaultWireProfile } from '../../../src/integrations/signstash/wire-profile';

/** Splits text into pieces of varying size, so every token boundary is exercised somewhere. */
async function* pieces(text: string | Buffer, sizes = [1, 7, 64, 3, 1024, 13, 16384]): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function slowCollect(_index: number, content: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) {
    chunks.push(Buffer.from(chunk));
    await new Promise((r) => setImmediate(r));
  }
  return Buffer.concat(chunks);
}

describe("Sign'Stash codec", () => {
  it('streams large signed documents out of a result split at arbitrary points, with a slow store', async () => {
    const docs = [randomBytes(300_000), randomBytes(5), randomBytes(70_001)];
    const body = JSON.stringify({
      id: 42,
      status: 'EXECUTION_ERROR',
      asyncOperationId: 'op-1',
      documentList: [
        { externalReference: 'a', signedContent: docs[0].toString('base64'), name: 'a\\"b', signStatus: 'SIGNED' },
        {
          externalReference: 'b',
          signStatus: 'ERROR_SIGNING',
          signError: 'TIMESTAMP_SIGN_ERROR',
          contentLength: -1.5e2,
        },
        {
          signedContent: docs[2].toString('base64'),
          externalReference: 'c',
          signStatus: 'SIGNED',
          extra: [null, true, {}],
        },
        { externalReference: 'd', signedContent: docs[1].toString('base64'), signStatus: 'SIGNED' },
      ],
    });
    const result = await readSignResult(pieces(body), slowCollect, defaultWireProfile);
    assert.equal(result.operationNumber, 42);
    assert.equal(result.asyncOperationId, 'op-1');
    assert.deepEqual(
      result.documents.map((d) => [d.externalReference, d.signStatus, d.signError]),
      [
        ['a', 'SIGNED', undefined],
        ['b', 'ERROR_SIGNING', 'TIMESTAMP_SIGN_ERROR'],
        ['c', 'SIGNED', undefined],
        ['d', 'SIGNED', undefined],
      ],
    );
    assert.ok(result.documents[0].stored!.equals(docs[0]));
    assert.equal(result.documents[1].stored, undefined);
    assert.ok(result.documents[2].stored!.equals(docs[2]));
    assert.ok(result.documents[3].stored!.equals(docs[1]));
  });

  it('parses escapes, unicode split across chunks, numbers and literals like JSON.parse', async () => {
    const value = {
      s: 'æøå \u2603 "q" \\ / \n\t',
      n: [0, -1, 2.5, 1e3, -0.25e-2],
      b: [true, false, null],
      o: { a: {} },
      e: [],
    };
    const parser = new StreamingJsonParser();
    for await (const piece of pieces(JSON.stringify(value).replace('/', '\\/'), [1, 2, 3]))
      await parser.feed(piece.toString('latin1'));
    const viaLatin1 = parser.finish();
    // Fed as latin1 the multi-byte characters come out garbled: feed decoded text, as readSignResult does.
    assert.notDeepEqual(viaLatin1, value);
    const decoder = new TextDecoder();
    const proper = new StreamingJsonParser();
    for await (const piece of pieces(JSON.stringify(value), [1, 2, 3]))
      await proper.feed(decoder.decode(piece, { stream: true }));
    assert.deepEqual(proper.finish(), value);
  });

  it('rejects truncated or malformed JSON', async () => {
    for (const text of ['{"a": 1', '{"a" 1}', '[1,]x', '{"a": tru}', '{"a": 01}']) {
      const parser = new StreamingJsonParser();
      await assert.rejects(
        (async () => {
          await parser.feed(text);
          parser.finish();
        })(),
        JsonSyntaxError,
        text,
      );
    }
  });

  it('writes the request body as valid JSON with base64 content, whatever the source chunking', async () => {
    const content = randomBytes(100_003);
    const request = SignRequestBuilder.forReference('ref-1')
      .description('Ä "quoted" description')
      .addDocument({
        externalReference: 'd1',
        name: 'x.pdf',
        contentType: 'application/pdf',
        content: DocumentContent.fromStream(async () => pieces(content, [1, 2, 5000, 7])),
        signature: { signatureType: 'PAdES', reason: 'ok' },
      })
      .build();
    const chunks: Buffer[] = [];
    for await (const chunk of signRequestBody(request, defaultWireProfile.request)) chunks.push(chunk);
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      description: string;
      documents: { documentRequest: { base64Content: string }; signatureInfo: { signatureType: string } }[];
    };
    assert.equal(parsed.description, 'Ä "quoted" description');
    assert.equal(parsed.documents[0].signatureInfo.signatureType, 'PAdES');
    assert.ok(Buffer.from(parsed.documents[0].documentRequest.base64Content, 'base64').equals(content));
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
