export * from './caller-id';
export * from './retention';
