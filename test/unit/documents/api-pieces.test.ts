import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../../../src/config/env';
import { retentionPlanOf } from '../../../src/contract/documents/retention';
import { hashApiKey, newApiKey, parseKeysFile } from '../../../src/documents/api-keys';
import { loadDocumentsApiConfig } from '../../../src/documents/config';
import { parseRange } from '../../../src/documents/range';
import { openDocumentStores } from '../../../src/documents/stores';
import { Sha256MismatchError, UploadGuard, UploadTooLargeError } from '../../../src/documents/upload-guard';

const sink = (): Writable => new Writable({ write: (_c, _e, done) => done() });

describe('documents API pieces', () => {
  it('makes random keys and stores only their sha256', () => {
    const { key, hash } = newApiKey();
    assert.match(key, /^ferje_[A-Za-z0-9_-]{43}$/);
    assert.equal(hash, `sha256:${createHash('sha256').update(key).digest('hex')}`);
    assert.equal(hashApiKey(key), hash);
    assert.notEqual(newApiKey().key, key);
  });

  it('refuses keys files with bad caller ids or hashes, naming the problem', () => {
    assert.throws(() => parseKeysFile('{"callers":{"Ola Nordmann":[]}}', 'k.json'), /caller id "Ola Nordmann"/);
    assert.throws(() => parseKeysFile('{"callers":{"archive":["md5:abc"]}}', 'k.json'), /not "sha256:<64 hex>"/);
    assert.throws(() => parseKeysFile('[]', 'k.json'), ConfigError);
    assert.equal(parseKeysFile(`{"callers":{"archive":["${newApiKey().hash}"]}}`, 'k.json').size, 1);
  });

  it('never runs open except on loopback, and needs a keys file otherwise', () => {
    assert.throws(() => loadDocumentsApiConfig({}), /FERJE_DOCUMENTS_KEYS_FILE is required/);
    assert.equal(loadDocumentsApiConfig({}, { open: true }).open, true);
    assert.throws(
      () => loadDocumentsApiConfig({ FERJE_DOCUMENTS_AUTH: 'open', FERJE_DOCUMENTS_HOST: '0.0.0.0' }),
      /only on a loopback address/,
    );
    const withKeys = loadDocumentsApiConfig({ FERJE_DOCUMENTS_KEYS_FILE: '/k.json' }, { open: true });
    assert.equal(withKeys.open, false, 'a configured keys file wins over the dev default');
  });

  it('parses single byte ranges as RFC 9110 says', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-5', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined, 'multiple ranges: the whole document');
    assert.equal(parseRange('items=0-1', 100), undefined);
    assert.equal(parseRange(undefined, 100), undefined);
  });

  it('the upload guard fails the stream past the limit and on a wrong sha256', async () => {
    const data = Buffer.from('hello documents');
    await assert.rejects(pipeline(Readable.from([data]), new UploadGuard(5, undefined), sink()), UploadTooLargeError);
    await assert.rejects(
      pipeline(Readable.from([data]), new UploadGuard(100, '0'.repeat(64)), sink()),
      Sha256MismatchError,
    );
    const right = createHash('sha256').update(data).digest('hex');
    await pipeline(Readable.from([data]), new UploadGuard(100, right), sink());
  });

  it('validates retention input with a non-retryable FerjeInvalidInput naming the fields', () => {
    assert.deepEqual(retentionPlanOf(undefined), {
      retainAfterCloseMs: 30 * 86_400_000,
      unusedUploadGraceMs: 7 * 86_400_000,
      dryRun: false,
    });
    assert.throws(
      () => retentionPlanOf({ retainAfterClose: 'later', dryRun: 'yes' as unknown as boolean }),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'FerjeInvalidInput' &&
        err.nonRetryable &&
        /retainAfterClose/.test(err.message) &&
        /dryRun/.test(err.message),
    );
  });
});

describe('document stores', () => {
  it('keep the references ledger on the same backend as the blobs', () => {
    const dir = openDocumentStores({ blobDir: '/tmp/x' }, {});
    assert.equal(dir.ledger.constructor.name, 'FsReferenceLedger');
    const s3 = openDocumentStores({ blobDir: '/tmp/x' }, { FERJE_BLOB_STORE: 's3://bucket/prefix' });
    assert.equal(s3.blobs.constructor.name, 'S3BlobStore');
    assert.equal(s3.ledger.constructor.name, 'S3ReferenceLedger');
  });
});
