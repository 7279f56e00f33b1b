import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { KeyRing } from './key-ring';

/** Absolute path of the failure-converter module; by path because it also runs inside the workflow sandbox. */
export const failureConverterPath = require.resolve('./failure-converter');

/** The one data converter of every Ferje client and worker: AES-GCM payloads, failures encoded as payloads too. */
export function ferjeDataConverter(keyRing: KeyRing): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keyRing)], failureConverterPath };
}
