import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { BlobStore } from '../../src/blobs/blob-store';
import { commonFailureTypes } from '../../src/contract/failure-types';
import type { OutgoingFile } from '../../src/contract/eformidling';
import { mediaTypeFor } from '../../src/integrations/eformidling/media-types';
import type { StreamedFile } from '../../src/integrations/eformidling/multipart';

const CHUNK = 1024 * 1024;

/**
 * A message file as the client streams it: straight from the blob store's file (1 MiB reads, known length), or
 * from the store's stream when it is not on local disk. The content is opened only when the request body is written.
 */
export async function streamedFile(store: BlobStore, file: OutgoingFile, index: number): Promise<StreamedFile> {
  let open: () => Promise<Readable>;
  let path: string | undefined;
  const local = store.localPath?.(file.blob);
  if (local) {
    const actual = await stat(local).then(
      (s) => s.size,
      () => undefined,
    );
    if (actual === undefined) throw missing(index);
    if (actual !== file.blob.size) throw sizeMismatch(index);
    open = async () => createReadStream(local, { highWaterMark: CHUNK });
    path = local;
  } else {
    if (!(await store.has(file.blob))) throw missing(index);
    open = () => store.get(file.blob);
  }
  return {
    title: file.title ?? file.fileName,
    fileName: file.fileName,
    mediaType: mediaTypeFor(file.fileName, file.mediaType ?? file.blob.mediaType),
    size: file.blob.size,
    open,
    ...(path ? { path } : {}),
  };
}

const missing = (index: number): ApplicationFailure =>
  ApplicationFailure.create({
    message: `File ${index + 1} is not in the blob store`,
    type: commonFailureTypes.invalidInput,
    nonRetryable: true,
    details: [{ problems: [{ path: `/files/${index}/blob`, problem: 'is not in the blob store' }] }],
  });

const sizeMismatch = (index: number): ApplicationFailure =>
  ApplicationFailure.create({
    message: `File ${index + 1} in the blob store does not have the size its BlobRef states`,
    type: commonFailureTypes.invalidInput,
    nonRetryable: true,
    details: [{ problems: [{ path: `/files/${index}/blob/size`, problem: 'does not match the stored blob' }] }],
  });
