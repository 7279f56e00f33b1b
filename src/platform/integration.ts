import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { BlobStore } from '../blobs/blob-store';
import type { Env } from '../config/env';
import type { ReadinessCheck } from '../http/readiness';
import type { FerjeConfig } from '../config/ferje-config';
import type { IntegrationName } from '../contract/task-queues';
import type { IngressRoute } from '../ingress/route';
import type { CliCommand } from '../cli/command';
import type { Logger } from '../logging/logger';

/** What every integration's activities, routes and bootstrap code get from the process that hosts them. */
export interface IntegrationContext {
  config: FerjeConfig;
  /** The environment, including settings a dev stack added for its simulators. */
  env: Env;
  /** A Temporal client with Ferje's data converter (for signal-with-start from activities and routes). */
  client: Client;
  namespace: string;
  blobStore: BlobStore;
  logger: Logger;
}

export interface RunningSimulator {
  /** Human-readable name and base URLs for the dev stack's summary. */
  title: string;
  urls: Record<string, string>;
  /** Settings that point the integration at this simulator (merged into the dev stack's env). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface SimulatorStartOptions {
  host: string;
  /** The first port the simulator may use; 0 asks for free ports (tests). */
  basePort: number;
  dataDir: string;
  logger: Logger;
  /** URLs of Ferje's own services the simulator calls back (webhooks to the ingress). */
  ingressBaseUrl: string;
}

export interface DemoContext extends IntegrationContext {
  /** Link to a workflow in the Temporal UI. */
  uiLink: (workflowId: string) => string;
}

export interface DemoResult {
  /** One line per step, for the console. */
  lines: string[];
  workflowIds: string[];
}

/**
 * How an integration plugs into the platform: its task queue and activities for the worker, its webhook routes for
 * the ingress, its simulator and demo for the dev stack, and long-lived workflows to ensure at worker start-up.
 */
export interface IntegrationModule {
  name: IntegrationName;
  title: string;
  taskQueue: string;
  /**
   * The queue's activities. Modules import their activities (and so their libraries: WASM, XML, SQL clients) on
   * demand here, so a process loads only what the queues it serves need.
   */
  createActivities(ctx: IntegrationContext): object | Promise<object>;
  /** Checks before the worker starts (configuration, the partner's published contract); a rejection stops the start. */
  preflight?(ctx: IntegrationContext): Promise<void>;
  workerOptions?(
    ctx: IntegrationContext,
  ): Partial<
    Pick<
      WorkerOptions,
      | 'maxConcurrentActivityTaskExecutions'
      | 'maxActivitiesPerSecond'
      | 'maxTaskQueueActivitiesPerSecond'
      | 'maxConcurrentWorkflowTaskExecutions'
    >
  >;
  ingressRoutes?(ctx: IntegrationContext): IngressRoute[];
  /** Idempotent: starts (USE_EXISTING) the pollers/inboxes that this deployment's configuration asks for. */
  bootstrap?(ctx: IntegrationContext): Promise<void>;
  /** The integration's own lines of the worker's `/health/ready` (e.g. a webhook subscription the partner refused). */
  readinessChecks?(ctx: IntegrationContext): ReadinessCheck[];
  startSimulator?(options: SimulatorStartOptions): Promise<RunningSimulator>;
  demo?(ctx: DemoContext): Promise<DemoResult>;
  /** Integration-specific commands for the `ferje` CLI (e.g. write a bundle to disk, show store status). */
  cliCommands?: CliCommand[];
}
