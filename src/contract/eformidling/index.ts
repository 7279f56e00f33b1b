export * from './statuses';
export * from './outgoing';
export * from './incoming';
export * from './failures';
export * from './names';
export * from './flows';
export * from './validate-outgoing';
