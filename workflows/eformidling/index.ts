export { eformidlingOutgoingMessage } from './outgoing-message';
export { eformidlingInbox } from './inbox';
export { eformidlingStatusQueueReader } from './status-queue-reader';
export { eformidlingStoreIncoming } from './store-incoming';
