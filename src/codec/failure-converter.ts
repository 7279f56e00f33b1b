import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path into the workflow sandbox (`failureConverterPath`) and used directly by clients: moves failure
 * messages and stack traces into an encoded payload, so the payload codec encrypts them like any other data.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
