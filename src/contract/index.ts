export * from './task-queues';
export * from './search-attributes';
export * from './blob-ref';
export * from './failure-types';
export * from './workflow-ids';
export * from './flow';
export * from './flows';
export * from './posten-signering';
