/**
 * The entry point of the `@ferje/client` package (`npm run pack:client`): what a TypeScript calling system in another
 * repository needs to start Ferje flows and exchange documents — the contract, the client helpers, the payload codec
 * and the documents API helpers. No worker, workflow, activity or simulator code is reachable from here.
 */
export * from '../contract';
export { connectFerjeClient, type FerjeClientOptions } from './connect';
export { startFlow, flowClient, type StartedFlow } from './flows';
export * from './documents';
export { AesGcmPayloadCodec, PayloadDecryptionError } from '../codec/aes-gcm-codec';
export { ferjeDataConverter } from '../codec/data-converter';
export { keyRingFromKeyFile, loadKeyRing, type KeyFile, type KeyRing } from '../codec/key-ring';
