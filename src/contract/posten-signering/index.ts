export * from './names';
export * from './job';
export * from './handlers';
export * from './poller';
export * from './validate';
export * from './flows';
