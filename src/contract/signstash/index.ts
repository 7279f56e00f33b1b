export * from './names';
export * from './types';
export * from './failures';
export * from './validation';
export * from './flows';
