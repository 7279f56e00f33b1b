import type { Client } from '@temporalio/client';
// From their own modules, not the package index: the index also loads the workflow bundler (webpack), which the
// ingress never uses.
import { NativeConnection } from '@temporalio/worker/lib/connection';
import { Runtime } from '@temporalio/worker/lib/runtime';
import { ferjeClient } from '../client/connect';
import type { KeyRing } from '../codec/key-ring';
import type { Env } from '../config/env';
import { loadTemporalConnection } from '../config/temporal-connection';
import type { Logger } from '../logging/logger';

export interface IngressClient {
  client: Client;
  close(): Promise<void>;
}

/**
 * The SDK runtime of an ingress process, with Ferje's logger. No shutdown signals: the ingress drains its HTTP
 * server on SIGTERM itself and closes the connection after (the SDK's hooks are for workers). Once per process.
 */
export function installIngressRuntime(logger: Logger): void {
  Runtime.install({ logger, shutdownSignals: [] });
}

/**
 * The ingress's Temporal client: Ferje's client (encrypting data converter, tracing) over the SDK's native
 * connection (the Rust core's gRPC client, as workers use), configured from the same environment as every Ferje
 * process. Measured under a burst of 200 webhooks (`bench:scale`, docs/cost-and-scale.md): the gRPC-JS connection
 * cost the ingress about 1 ms of CPU per signal (HTTP/2 framing, protobuf and call bookkeeping in JavaScript on the
 * one event loop that also serves the webhooks); the native client about a third of that.
 */
export async function connectIngressClient(options: {
  env: Env;
  keyRing: KeyRing;
  /** Overrides TEMPORAL_ADDRESS (tests). */
  address?: string;
}): Promise<IngressClient> {
  const settings = loadTemporalConnection(options.env);
  const connection = await NativeConnection.connect({
    ...settings.connectionOptions,
    address: options.address ?? settings.address,
  });
  return {
    client: ferjeClient(connection, { env: options.env, keyRing: options.keyRing, namespace: settings.namespace }),
    close: () => connection.close(),
  };
}
