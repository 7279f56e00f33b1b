import { S3BlobStore } from '../../src/blobs/s3-blob-store';
import { s3OptionsFromEnv } from '../../src/blobs/from-config';

/**
 * A process that puts an endless stream into the S3 blob store of its environment and says how far it got, so a
 * test can SIGKILL it in the middle of a multipart upload (a worker dying while it stores a download).
 */
const options = s3OptionsFromEnv(process.env);
if (!options) throw new Error('FERJE_BLOB_STORE is not set');
const store = new S3BlobStore({ ...options, partSize: 5 * 1024 * 1024 });
const chunk = Buffer.alloc(1024 * 1024, 0x42);
void store.put(
  (async function* () {
    for (let mib = 1; ; mib++) {
      yield chunk;
      console.log(`streamed ${mib} MiB`);
    }
  })(),
);
