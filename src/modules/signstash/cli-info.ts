import type { CliCommandInfo } from '../../platform/lazy';

/** The `signstash-check` command as the CLI lists it; the check (profile validator, OpenAPI reader) loads on use. */
export const signstashCheckCommandInfo: CliCommandInfo = {
  name: 'signstash-check',
  usage: 'ferje signstash-check [--base-url url] [--profile file] [--openapi-url url] [--json]',
  description: "Check the Sign'Stash wire profile against the proxy's OpenAPI document (the worker's start-up check)",
};
