import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { codecAccessFromEnv } from '../../src/codec/auth/codec-auth';
import { newStaticToken } from '../../src/codec/auth/static-tokens';
import { startCodecServer } from '../../src/codec/codec-server';
import { projectDir } from '../../src/config/ferje-config';
import { signatureOperationFlow, type SignatureOperationInput } from '../../src/contract/signstash';
import { createLogger } from '../../src/logging/logger';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { startRig, uniqueReference } from '../workflows/signstash/harness';
import { testKeyRing } from '../harness/keys';
import { revealsMarker } from '../harness/plaintext';
import { getTestEnv } from '../harness/temporal';

const run = promisify(execFile);
const MARKER = '13097248022';

/** The README's recipe for Java, .NET and Go teams, run as written: temporal CLI + codec server, JSON input. */
describe('starting a Ferje workflow without TypeScript (temporal CLI + codec server)', () => {
  it('encrypts the JSON input through the codec server, a worker runs it, and the result reads back', async () => {
    const env = await getTestEnv();
    const rig = await startRig(env);
    // The codec server as in production: a bearer token from a hashed token file, the CLI passes it with --codec-auth.
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-neutral-'));
    const { token, line } = newStaticToken(['default'], 'cli-test');
    writeFileSync(path.join(dir, 'codec-tokens'), `${line}\n`);
    const codecLog: string[] = [];
    const logger = createLogger('codec', 'WARN', (l) => codecLog.push(l));
    const access = codecAccessFromEnv({ FERJE_CODEC_TOKEN_FILE: path.join(dir, 'codec-tokens') }, logger);
    assert.ok(access);
    const codec = await startCodecServer({
      access,
      codec: new AesGcmPayloadCodec(testKeyRing()),
      host: '127.0.0.1',
      port: 0,
      corsOrigins: [],
      logger,
    });
    try {
      const example = JSON.parse(
        readFileSync(path.join(projectDir, 'examples', 'signstash-sign.json'), 'utf8'),
      ) as SignatureOperationInput;
      const reference = uniqueReference('neutral');
      const input: SignatureOperationInput = {
        ...example,
        clientServiceId: rig.clientServiceId,
        externalReference: reference,
        description: `Contract for ${MARKER}`,
        documents: example.documents.map((d, i) => ({ ...d, externalReference: `${reference}-${i}` })),
      };
      const inputFile = path.join(dir, 'input.json');
      writeFileSync(inputFile, JSON.stringify(input));
      const workflowId = signatureOperationFlow.workflowId(input);
      const cli = locateTemporalBinary('cli').path;
      const withoutAuth = ['--address', env.address, '--namespace', 'default', '--codec-endpoint', codec.url];
      const connection = [...withoutAuth, '--codec-auth', `Bearer ${token}`];
      await run(cli, [
        'workflow',
        'start',
        ...connection,
        '--type',
        signatureOperationFlow.workflowType,
        '--task-queue',
        rig.taskQueue,
        '--workflow-id',
        workflowId,
        '--id-conflict-policy',
        'UseExisting',
        '--id-reuse-policy',
        'RejectDuplicate',
        '--search-attribute',
        'FerjeIntegration="signstash"',
        '--search-attribute',
        `FerjeExternalReference="${reference}"`,
        '--static-summary',
        signatureOperationFlow.summary(input),
        '--input-file',
        inputFile,
      ]);
      const { stdout: result } = await run(cli, ['workflow', 'result', ...connection, '--workflow-id', workflowId]);
      assert.match(result, /Status\s+COMPLETED/);
      assert.match(result, /"status":"EXECUTED"/);

      const { stdout: raw } = await run(cli, [
        'workflow',
        'show',
        '--address',
        env.address,
        '-w',
        workflowId,
        '-o',
        'json',
      ]);
      assert.equal(revealsMarker(raw, MARKER), false, 'the server never saw the personal number');
      const { stdout: decoded } = await run(cli, ['workflow', 'show', ...connection, '-w', workflowId, '-o', 'json']);
      assert.ok(revealsMarker(decoded, MARKER), 'readable with the codec server and --codec-auth');
      const refused = await run(cli, [
        'workflow',
        'show',
        ...withoutAuth,
        '--command-timeout',
        '3s',
        '-w',
        workflowId,
        '-o',
        'json',
      ]).then(
        ({ stdout }) => stdout,
        (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
      );
      assert.ok(
        codecLog.some((l) => l.includes('codec request refused') && l.includes('"status":401')),
        'the codec server refused the CLI without --codec-auth',
      );
      assert.ok(!refused.includes(MARKER), 'and decrypts nothing for it');
    } finally {
      await codec.close();
      await rig.stop();
    }
  });
});
