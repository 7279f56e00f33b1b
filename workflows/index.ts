// The workflow bundle entry: every workflow type Ferje registers, re-exported per integration.
export * from './posten-signering';
export * from './eformidling';
export * from './ss12000';
export * from './signstash';
export * from './documents';
