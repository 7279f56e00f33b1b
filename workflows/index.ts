// The workflow bundle entry: every workflow type Ferje registers, re-exported per integration.
export * from './posten-signering';
