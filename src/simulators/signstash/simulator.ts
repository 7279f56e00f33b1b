import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { proxyBasePath } from '../../integrations/signstash/wire';
import { SimulatedInstance, type InstanceStats } from './instance';
import { SimulatedLoadBalancer } from './load-balancer';
import type { OperationPlan } from './operations';
import { SimulatorShared, type SimulatorTimingOptions } from './shared';
import { SimulatedTokenServer } from './token-server';
import { TokenSigner } from './tokens';

export const demoClientServiceId = 'PRT.505767457-PRT.123654123-84dd8c';

export interface InstanceSpec {
  listenPort?: number;
  /** What the instance advertises (`--server.host.port`); defaults to where it listens. */
  advertisedHost?: string;
  advertisedPort?: number;
}

export interface SignstashSimulatorOptions extends Partial<SimulatorTimingOptions> {
  host?: string;
  dataDir: string;
  /** Number of instances (ports chosen freely) or one spec per instance. Default 2. */
  instances?: number | InstanceSpec[];
  lbPort?: number;
  tokenPort?: number;
  /** Written to `<dataDir>/client-services-config.json` (the proxy's own file). Default: one generated service. */
  clientServices?: Record<string, { secret: string }>;
}

export interface SimulatorStats {
  tokenRequests: number;
  starts: number;
  followUpCallsViaLoadBalancer: number;
  /** Follow-ups sent to an instance that does not own the reference, plus any sent through the balancer. */
  wrongInstanceCalls: number;
  instances: { index: number; port: number; running: boolean; operations: number; stats: InstanceStats }[];
}

/**
 * Several independent Sign'Stash Proxy instances, a round-robin load balancer in front of them and the SaaS token
 * endpoint, over real HTTP on loopback. Tests drive it through this object (stop/restart/crash an instance, plan an
 * outcome for a reference, expire tokens); `ferje dev` runs the same thing.
 */
export class SignstashSimulator {
  readonly instances: SimulatedInstance[];
  readonly loadBalancer: SimulatedLoadBalancer;
  readonly tokenServer: SimulatedTokenServer;
  readonly shared: SimulatorShared;
  readonly clientServicesFile: string;
  private readonly host: string;

  private constructor(options: SignstashSimulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    mkdirSync(options.dataDir, { recursive: true });
    this.clientServicesFile = path.join(options.dataDir, 'client-services-config.json');
    if (options.clientServices || !existsSync(this.clientServicesFile)) {
      const services = options.clientServices ?? {
        [demoClientServiceId]: { secret: randomBytes(18).toString('base64url') },
      };
      writeFileSync(this.clientServicesFile, `${JSON.stringify(services, null, 2)}\n`, { mode: 0o600 });
    }
    this.shared = new SimulatorShared(
      {
        baseDelayMs: options.baseDelayMs ?? 1000,
        perDocumentDelayMs: options.perDocumentDelayMs ?? 50,
        retryAfterSeconds: options.retryAfterSeconds ?? 2,
        retentionMs: options.retentionMs ?? 24 * 3600_000,
        maxPayloadBytes: options.maxPayloadBytes ?? 64 * 1024 * 1024,
        maxDocuments: options.maxDocuments ?? 2500,
        tokenTtlSeconds: options.tokenTtlSeconds ?? 86399,
        tokenErrorMode: options.tokenErrorMode ?? '401',
        publishOpenApi: options.publishOpenApi ?? true,
      },
      new TokenSigner(randomBytes(32)),
      this.clientServicesFile,
    );
    const specs: InstanceSpec[] = Array.isArray(options.instances)
      ? options.instances
      : Array.from({ length: options.instances ?? 2 }, () => ({}));
    this.instances = specs.map(
      (spec, index) =>
        new SimulatedInstance(
          index,
          this.host,
          spec.listenPort ?? 0,
          path.join(options.dataDir, `instance-${index}`),
          this.shared,
          { host: spec.advertisedHost, port: spec.advertisedPort },
        ),
    );
    this.shared.ownedElsewhere = (ref, asking) => this.instances.some((i) => i.index !== asking && i.holds(ref));
    this.loadBalancer = new SimulatedLoadBalancer(this.host, options.lbPort ?? 0, this.instances);
    this.tokenServer = new SimulatedTokenServer(this.host, options.tokenPort ?? 0, this.shared);
  }

  static async start(options: SignstashSimulatorOptions): Promise<SignstashSimulator> {
    const sim = new SignstashSimulator(options);
    try {
      for (const instance of sim.instances) await instance.start();
      await sim.tokenServer.start();
      await sim.loadBalancer.start();
    } catch (err) {
      await sim.stop();
      throw err;
    }
    return sim;
  }

  get baseUrl(): string {
    return `http://${this.host}:${this.loadBalancer.port}`;
  }

  get tokenUrl(): string {
    return `http://${this.host}:${this.tokenServer.port}`;
  }

  /** Where the instances publish their OpenAPI document (the balancer forwards it to one of them). */
  get openApiUrl(): string {
    return `${this.baseUrl}${proxyBasePath}/v3/api-docs`;
  }

  instanceUrls(): string[] {
    return this.instances.map((i) => `http://${this.host}:${i.port}`);
  }

  /** The settings that point Ferje's Sign'Stash client at this simulator. */
  env(): Record<string, string> {
    return {
      SIGNSTASH_BASE_URL: this.baseUrl,
      SIGNSTASH_TOKEN_URL: this.tokenUrl,
      SIGNSTASH_INSTANCE_ALLOWLIST: this.instances.map((i) => `${this.host}:${i.port}`).join(','),
      SIGNSTASH_CLIENT_SERVICES_FILE: this.clientServicesFile,
    };
  }

  clientServices(): Record<string, { secret: string }> {
    return this.shared.clientServices();
  }

  /** Decides the outcome of the next operation started under this reference. */
  plan(externalReference: string, plan: OperationPlan): void {
    this.shared.plan(externalReference, plan);
  }

  /** Which instance holds the reference (test bookkeeping). */
  ownerOf(externalReference: string): SimulatedInstance | undefined {
    return this.instances.find((i) => i.holds(externalReference));
  }

  /** Every token issued so far stops validating, on every instance. */
  invalidateTokens(): void {
    this.shared.signer.rotate(randomBytes(32));
  }

  stats(): SimulatorStats {
    const direct = this.instances.reduce((sum, i) => sum + i.stats.wrongInstanceCalls, 0);
    return {
      tokenRequests: this.tokenServer.tokenRequests,
      starts: this.instances.reduce((sum, i) => sum + i.stats.starts, 0),
      followUpCallsViaLoadBalancer: this.loadBalancer.followUpCalls,
      wrongInstanceCalls: direct + this.loadBalancer.followUpCalls,
      instances: this.instances.map((i) => ({
        index: i.index,
        port: i.port,
        running: i.running,
        operations: i.operationCount(),
        stats: { ...i.stats },
      })),
    };
  }

  async stop(): Promise<void> {
    await this.loadBalancer.stop();
    await this.tokenServer.stop();
    for (const instance of this.instances) await instance.stop();
  }
}
