import { parseArgs } from 'node:util';
import { documentsApiFromEnv, putDocument, saveDocument } from '../../client/documents';
import { startDocumentsApiFromEnv } from '../../documents/run-api';
import { CALLER_ID, newApiKey } from '../../documents/api-keys';
import { createLogger } from '../../logging/logger';
import { createPlatform } from '../../platform/context';
import { UsageError, waitForShutdownSignal, type CliCommand } from '../command';

const USAGE =
  'ferje documents put FILE [--media-type T] [--file-name N] [--expected-sha256 H] | get SHA256 --out FILE | serve | key CALLER';

export const documentsCommand: CliCommand = {
  name: 'documents',
  usage: 'ferje documents put|get|serve|key …',
  description:
    'Upload or fetch a document through the documents API (FERJE_DOCUMENTS_URL, FERJE_DOCUMENTS_API_KEY), run the API, or make an API key',
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'put': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            'media-type': { type: 'string' },
            'file-name': { type: 'string' },
            'expected-sha256': { type: 'string' },
          },
        });
        if (positionals.length !== 1) throw new UsageError(USAGE);
        const ref = await putDocument(documentsApiFromEnv(), positionals[0], {
          mediaType: values['media-type'],
          fileName: values['file-name'],
          expectedSha256: values['expected-sha256'],
        });
        console.log(JSON.stringify(ref));
        return 0;
      }
      case 'get': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { out: { type: 'string' } },
        });
        if (positionals.length !== 1 || !values.out) throw new UsageError(USAGE);
        const doc = await saveDocument(documentsApiFromEnv(), positionals[0], values.out);
        console.log(JSON.stringify({ sha256: doc.sha256, size: doc.size, mediaType: doc.mediaType, out: values.out }));
        return 0;
      }
      case 'serve': {
        const logger = createLogger('documents');
        const platform = await createPlatform(process.env, logger);
        const api = await startDocumentsApiFromEnv(process.env, platform.config, platform.client, logger);
        console.log(`Documents API ${api.url}${api.open ? '  (OPEN: no authentication, loopback only)' : ''}`);
        await waitForShutdownSignal();
        await api.close();
        await platform.close();
        return 0;
      }
      case 'key': {
        const callerId = rest[0];
        if (!callerId || !CALLER_ID.test(callerId)) throw new UsageError(`ferje documents key CALLER (${CALLER_ID})`);
        const { key, hash } = newApiKey();
        console.log(
          [
            `API key for ${callerId} (shown once; give it to that system as FERJE_DOCUMENTS_API_KEY):`,
            `  ${key}`,
            `Add its hash to the keys file (FERJE_DOCUMENTS_KEYS_FILE); the API picks the change up without a restart:`,
            `  "callers": { "${callerId}": ["${hash}"] }`,
          ].join('\n'),
        );
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  },
};
