import path from 'node:path';
import { ConfigError, envBool, envInt, envOptional, envString, envUrl, type Env } from '../../config/env';
import type { FerjeConfig } from '../../config/ferje-config';
import type { InboxFilter, IncomingConsumer } from '../../contract/eformidling';
import { defaultIncomingPrefix, eformidlingWorkflowTypes } from '../../contract/eformidling';
import { defaultTransportLimitBytes } from '../../contract/eformidling';
import { CALLER_ID } from '../../contract/documents/caller-id';

export interface InboxConfig {
  name: string;
  filter: InboxFilter;
  consumer: IncomingConsumer;
  pollInterval?: string;
}

export interface EformidlingConfig {
  baseUrl: string;
  username?: string;
  password?: string;
  /** Secret path segment of the webhook route; webhooks are off without it. */
  webhookToken?: string;
  /** Where the IP should POST (Ferje's public ingress URL + route + token). */
  webhookPushEndpoint?: string;
  subscriptionName: string;
  inboxes: InboxConfig[];
  statusQueueReader: boolean;
  ipName: string;
  transportLimitBytes: Record<string, number>;
  /** Journal of the store-and-record consumer (JSON lines of references, no content). */
  receiptJournal: string;
  headersTimeoutMs: number;
}

/** The default consumer: Ferje's store-and-record workflow, as a child of the inbox. */
export const storeAndRecordConsumer: IncomingConsumer = {
  kind: 'child',
  workflowType: eformidlingWorkflowTypes.storeIncoming,
  workflowIdPrefix: defaultIncomingPrefix,
};

/**
 * Reads the eFormidling settings (see docs/eformidling.md): EFORMIDLING_BASE_URL, EFORMIDLING_USERNAME/PASSWORD,
 * EFORMIDLING_WEBHOOK_TOKEN, EFORMIDLING_SUBSCRIPTION_NAME, EFORMIDLING_INBOX_ENABLED, EFORMIDLING_INBOX_FILTER,
 * EFORMIDLING_INBOX_CALLER,
 * EFORMIDLING_INBOXES (JSON), EFORMIDLING_STATUS_QUEUE_READER, EFORMIDLING_IP_NAME, EFORMIDLING_TRANSPORT_LIMITS,
 * EFORMIDLING_RECEIPT_JOURNAL, EFORMIDLING_HEADERS_TIMEOUT_MS.
 */
export function loadEformidlingConfig(env: Env, ferje: FerjeConfig): EformidlingConfig {
  const webhookToken = envOptional(env, 'EFORMIDLING_WEBHOOK_TOKEN');
  if (webhookToken !== undefined && !/^[A-Za-z0-9_-]{32,128}$/.test(webhookToken)) {
    throw new ConfigError(
      'EFORMIDLING_WEBHOOK_TOKEN must be 32-128 characters of A-Z a-z 0-9 _ - (it guards the webhook)',
    );
  }
  const inboxes: InboxConfig[] = [];
  const json = envOptional(env, 'EFORMIDLING_INBOXES');
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new ConfigError('EFORMIDLING_INBOXES must be a JSON array');
    }
    if (!Array.isArray(parsed)) throw new ConfigError('EFORMIDLING_INBOXES must be a JSON array');
    for (const [i, raw] of parsed.entries()) {
      const item = raw as Partial<InboxConfig>;
      if (typeof item.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(item.name))
        throw new ConfigError(`EFORMIDLING_INBOXES[${i}].name must be 1-64 characters of A-Z a-z 0-9 . _ -`);
      inboxes.push({
        name: item.name,
        filter: item.filter ?? {},
        consumer: item.consumer ?? storeAndRecordConsumer,
        pollInterval: item.pollInterval,
      });
    }
  } else if (envBool(env, 'EFORMIDLING_INBOX_ENABLED', false)) {
    // The calling system that consumes the stored messages, and reads them through the documents API.
    const callerId = envOptional(env, 'EFORMIDLING_INBOX_CALLER');
    if (callerId !== undefined && !CALLER_ID.test(callerId))
      throw new ConfigError(`EFORMIDLING_INBOX_CALLER must be a documents API caller id (${CALLER_ID.source})`);
    inboxes.push({
      name: envString(env, 'EFORMIDLING_INBOX_NAME', 'default'),
      filter: Object.fromEntries(new URLSearchParams(envOptional(env, 'EFORMIDLING_INBOX_FILTER') ?? '')),
      consumer: callerId ? { ...storeAndRecordConsumer, callerId } : storeAndRecordConsumer,
      pollInterval: envOptional(env, 'EFORMIDLING_INBOX_POLL_INTERVAL'),
    });
  }
  const transportLimitBytes = { ...defaultTransportLimitBytes };
  for (const pair of (envOptional(env, 'EFORMIDLING_TRANSPORT_LIMITS') ?? '').split(',').filter(Boolean)) {
    const [service, size] = pair.split('=');
    const n = parseDataSize(size ?? '');
    if (!service || n === undefined)
      throw new ConfigError(
        'EFORMIDLING_TRANSPORT_LIMITS must look like DPV=250MB,DPI=52428800 (sizes as the IP writes them)',
      );
    transportLimitBytes[service.trim()] = n;
  }
  return {
    baseUrl: envUrl(env, 'EFORMIDLING_BASE_URL', 'http://127.0.0.1:9093'),
    username: envOptional(env, 'EFORMIDLING_USERNAME'),
    password: envOptional(env, 'EFORMIDLING_PASSWORD'),
    webhookToken,
    webhookPushEndpoint: webhookToken
      ? `${ferje.ingress.publicBaseUrl}/webhooks/eformidling/${webhookToken}`
      : undefined,
    subscriptionName: envString(env, 'EFORMIDLING_SUBSCRIPTION_NAME', 'ferje'),
    inboxes,
    statusQueueReader: envBool(env, 'EFORMIDLING_STATUS_QUEUE_READER', false),
    ipName: envString(env, 'EFORMIDLING_IP_NAME', 'default'),
    transportLimitBytes,
    receiptJournal: path.resolve(
      envString(env, 'EFORMIDLING_RECEIPT_JOURNAL', path.join(ferje.dataDir, 'eformidling', 'received.jsonl')),
    ),
    headersTimeoutMs: envInt(env, 'EFORMIDLING_HEADERS_TIMEOUT_MS', 300_000, { min: 1000 }),
  };
}

const DATA_SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * A size as the IP's properties write it (Spring `DataSize`: `50MB`, `1GB`; units are binary, so `50MB` is
 * 52 428 800 bytes), or plain bytes. Undefined when it is neither or not positive.
 */
export function parseDataSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * DATA_SIZE_UNITS[(m[2] ?? 'B').toUpperCase()];
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
