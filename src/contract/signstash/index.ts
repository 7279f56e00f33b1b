export * from './types';
export * from './failure-types';
export * from './validation';
export * from './flows';
