import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { ferjeDataConverter } from '../codec/data-converter';
import { loadKeyRing, type KeyRing } from '../codec/key-ring';
import type { Env } from '../config/env';
import { loadFerjeConfig } from '../config/ferje-config';
import { loadTemporalConnection } from '../config/temporal-connection';
import { setupTracing } from '../tracing/tracing';

export interface FerjeClientOptions {
  env?: Env;
  keyRing?: KeyRing;
  /** Overrides TEMPORAL_ADDRESS (tests, dev stack). */
  address?: string;
  namespace?: string;
}

/**
 * A Temporal client configured the way every Ferje client must be: connection from envconfig, the namespace passed
 * on, and the encrypting data converter (without it a caller would write personal data in plain text to history).
 */
export async function connectFerjeClient(
  options: FerjeClientOptions = {},
): Promise<Client & { connection: Connection }> {
  const env = options.env ?? process.env;
  const settings = loadTemporalConnection(env);
  const keyRing = options.keyRing ?? loadKeyRing(env, loadFerjeConfig(env).dataDir);
  const { address, tls, apiKey, metadata } = settings.connectionOptions;
  const connection = await Connection.connect({ address: options.address ?? address, tls, apiKey, metadata });
  const client = ferjeClient(connection, { env, keyRing, namespace: options.namespace ?? settings.namespace });
  // `client.connection` is typed as the ConnectionLike interface; here it is known to be the full Connection
  // (health and operator services), which the dev stack and ingress use.
  return client as Client & { connection: Connection };
}

/**
 * The Ferje client over any connection (the SDK's gRPC-JS `Connection`, or a worker's `NativeConnection`): the
 * encrypting data converter, and the tracing interceptor (a span per start/signal/query, whose context travels in
 * the workflow's headers: one trace from the caller through the workflow to each activity and its partner HTTP
 * calls, exported when OTEL_EXPORTER_OTLP_* is set).
 */
export function ferjeClient(
  connection: ConnectionLike,
  options: { env: Env; keyRing: KeyRing; namespace: string },
): Client {
  return new Client({
    connection,
    namespace: options.namespace,
    dataConverter: ferjeDataConverter(options.keyRing),
    interceptors: {
      workflow: [
        new OpenTelemetryWorkflowClientInterceptor({ tracer: setupTracing(options.env, 'ferje-client').tracer }),
      ],
    },
  });
}
