export { ss12000SubscriptionWorkflow } from './subscription';
export { ss12000SyncPassWorkflow } from './sync-pass';
