import { ConfigError } from '../../config/env';
import { SignstashUntrustedInstanceError } from './errors';

/**
 * The proxy instances Ferje may talk to directly. An instance's advertised host/port (from `--server.host.port`)
 * is followed only if it is listed here: a response cannot steer our bearer token to an arbitrary address.
 */
export class InstanceAllowList {
  private constructor(private readonly entries: ReadonlySet<string>) {}

  /** `host:port` entries separated by commas, e.g. `10.0.4.11:8081,10.0.4.12:8081`. */
  static parse(raw: string): InstanceAllowList {
    const entries = new Set<string>();
    for (const part of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const { host, port } = splitHostPort(part);
      entries.add(key(host, port));
    }
    if (entries.size === 0) throw new ConfigError('SIGNSTASH_INSTANCE_ALLOWLIST must list at least one host:port');
    return new InstanceAllowList(entries);
  }

  allows(host: string, port: number): boolean {
    return this.entries.has(key(host, port));
  }

  /** Throws SignstashUntrustedInstanceError unless the instance is listed. */
  require(host: string, port: number): void {
    if (!this.allows(host, port)) throw new SignstashUntrustedInstanceError(host, port);
  }

  instances(): { host: string; port: number }[] {
    return [...this.entries].map((entry) => splitHostPort(entry));
  }
}

function key(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

function splitHostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  const host = entry.slice(0, at);
  const port = Number(entry.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535 || /[\s/]/.test(host)) {
    throw new ConfigError(`SIGNSTASH_INSTANCE_ALLOWLIST entry "${entry}" must be host:port`);
  }
  return { host, port };
}
