export * from './resource-types';
export * from './failure-types';
export * from './types';
export * from './definitions';
export * from './flows';
