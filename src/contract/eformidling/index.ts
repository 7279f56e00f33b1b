export * from './types';
export * from './failures';
export * from './names';
export * from './flows';
export * from './validation';
export * from './file-rules';
