import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/env';
import { validateSignatureOperationInput, type SignatureOperationInput } from '../../../src/contract/signstash';
import { InstanceAllowList } from '../../../src/integrations/signstash/allow-list';

const valid = (): SignatureOperationInput => ({
  clientServiceId: 'PRT.505767457-PRT.123654123-84dd8c',
  externalReference: 'ref-1',
  description: 'd',
  documents: [
    {
      externalReference: 'doc-1',
      name: 'a.pdf',
      contentType: 'application/pdf',
      content: { base64: Buffer.from('%PDF').toString('base64') },
      signatureType: 'PAdES',
    },
  ],
});

const paths = (input: SignatureOperationInput): string[] => validateSignatureOperationInput(input).map((p) => p.path);

describe("Sign'Stash input validation (before any side effect)", () => {
  it('accepts a valid input', () => {
    assert.deepEqual(validateSignatureOperationInput(valid()), []);
  });

  it('names every broken rule by path, never by value', () => {
    const input = valid();
    input.externalReference = 'has space/and slash';
    input.documents.push({ ...input.documents[0], contentType: 'text/xml' });
    input.documents.push({
      ...input.documents[0],
      externalReference: 'doc-3',
      content: { base64: 'not base64!' },
      visibleSignature: { locationType: 'COORDINATE', locationValue: 'x' },
      signatureType: 'CAdES',
      reason: 'r',
    });
    input.options = { onInstanceLost: 'retry' as 'fail', maxRestarts: 10, instanceLostAfterSeconds: 0.5 };
    const problems = validateSignatureOperationInput(input);
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        '/externalReference',
        '/documents/1/signatureType',
        '/documents/1/externalReference',
        '/documents/2/reason',
        '/documents/2/content/base64',
        '/options/onInstanceLost',
        '/options/instanceLostAfterSeconds',
        '/options/maxRestarts',
      ],
    );
    assert.ok(problems.every((p) => !p.problem.includes('has space')));
  });

  it('keeps inline content small and references short enough for derived restarts', () => {
    const input = valid();
    input.documents[0].content = { base64: Buffer.alloc(129 * 1024).toString('base64') };
    input.externalReference = 'r'.repeat(121);
    assert.deepEqual(paths(input), ['/externalReference', '/documents']);
  });

  it('requires exactly one kind of content and a BlobRef that looks like one', () => {
    const input = valid();
    input.documents[0].content = { blob: { sha256: 'abc', size: 1 } };
    assert.deepEqual(paths(input), ['/documents/0/content/blob']);
    input.documents[0].content = {} as never;
    assert.deepEqual(paths(input), ['/documents/0/content']);
  });
});

describe("Sign'Stash instance allow-list", () => {
  it('allows exactly the listed host:port pairs', () => {
    const list = InstanceAllowList.parse('10.0.4.11:8081, proxy-b.internal:8081');
    assert.equal(list.allows('10.0.4.11', 8081), true);
    assert.equal(list.allows('PROXY-B.internal', 8081), true);
    assert.equal(list.allows('10.0.4.11', 8082), false);
    assert.equal(list.allows('10.0.4.12', 8081), false);
    assert.throws(() => list.require('evil.example', 443), /not on SIGNSTASH_INSTANCE_ALLOWLIST/);
  });

  it('refuses malformed entries at start-up', () => {
    assert.throws(() => InstanceAllowList.parse('10.0.4.11'), ConfigError);
    assert.throws(() => InstanceAllowList.parse('host:99999'), ConfigError);
    assert.throws(() => InstanceAllowList.parse(' , '), ConfigError);
  });
});
