// Workflow types of the Posten signering integration (only workflow functions may be exported from here).
export { postenSignatureJobWorkflow } from './signature-job';
export { postenStatusPollerWorkflow } from './status-poller';
export { postenUnownedJobWorkflow } from './unowned-job';
