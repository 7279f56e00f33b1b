import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { documentStandards, isDocumentType, isMessageStatus, type ServiceIdentifier } from '../../contract/eformidling';
import { readBody } from '../../http/server-utils';
import type { Route } from './api';
import { writeAsic, type ZipSource } from './asic';
import type { Outcome, Routing } from './directory';
import { badRequest, ipTime, sendIpJson, SimError } from './http-util';
import type { SimSettings, SimState } from './state';

/** A fault rule: the next `count` requests matching method and path pattern get this treatment. */
export interface FaultRule {
  method?: string;
  path: string;
  status?: number;
  latencyMs?: number;
  /** Destroy the socket without an answer. */
  drop?: boolean;
  /** 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Handle the request normally, then drop the connection instead of answering (a lost response). */
  dropResponse?: boolean;
  count?: number;
}

export interface IncomingInjection {
  messageId?: string;
  conversationId?: string;
  sender?: string;
  receiver?: string;
  process?: string;
  documentType?: string;
  serviceIdentifier?: ServiceIdentifier;
  businessMessage?: Record<string, unknown>;
  expectedResponseDateTime?: string;
  files?: { name: string; mediaType?: string; text?: string; base64?: string; size?: number }[];
}

async function json<T>(req: Parameters<Route[2]>[0]['req']): Promise<T> {
  try {
    return JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8')) as T;
  } catch {
    throw badRequest('HttpMessageNotReadableException', 'JSON parse error');
  }
}

async function generated(target: string, size: number): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const out = createWriteStream(target);
  for (let left = size; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Puts a message into the inbox as if transport had delivered it. Like the IP, a messageId that is still queued is
 * dropped; one that was already deleted is queued again (a transport redelivery).
 */
export async function injectIncoming(
  state: SimState,
  filesDir: string,
  body: IncomingInjection,
): Promise<{ messageId: string; queued: boolean }> {
  const messageId = body.messageId ?? randomUUID();
  if (state.inbox.has(messageId)) {
    state.stats.duplicateIncomingDropped++;
    return { messageId, queued: false };
  }
  const documentType = body.documentType ?? 'arkivmelding';
  if (!isDocumentType(documentType))
    throw badRequest('UnknownMessageTypeException', `Unknown message type: ${documentType}`);
  const conversationId = body.conversationId ?? randomUUID();
  const process = body.process ?? 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0';
  const expiry = body.expectedResponseDateTime
    ? Date.parse(body.expectedResponseDateTime)
    : Date.now() + state.settings.defaultTtlMs;
  const sender = `0192:${body.sender ?? '920000002'}`;
  const receiver = `0192:${body.receiver ?? state.ownOrganisation}`;
  const sbd = {
    standardBusinessDocumentHeader: {
      headerVersion: '1.0',
      sender: [{ identifier: { value: sender, authority: 'iso6523-actorid-upis' } }],
      receiver: [{ identifier: { value: receiver, authority: 'iso6523-actorid-upis' } }],
      documentIdentification: {
        standard: documentStandards[documentType],
        typeVersion: '1.0',
        instanceIdentifier: messageId,
        type: documentType,
        creationDateAndTime: ipTime(),
      },
      businessScope: {
        scope: [
          {
            type: 'ConversationId',
            instanceIdentifier: conversationId,
            identifier: process,
            scopeInformation: [{ expectedResponseDateTime: ipTime(expiry) }],
          },
        ],
      },
    },
    [documentType]: body.businessMessage ?? (documentType === 'arkivmelding' ? { hoveddokument: 'dokument.pdf' } : {}),
  };
  let asicPath: string | undefined;
  let asicSize = 0;
  const files = body.files ?? [];
  if (files.length > 0) {
    const sources: ZipSource[] = [];
    const temp: string[] = [];
    for (const f of files) {
      if (f.size !== undefined) {
        const p = path.join(filesDir, randomUUID());
        await generated(p, f.size);
        temp.push(p);
        sources.push({ name: f.name, path: p });
      } else {
        sources.push({
          name: f.name,
          content: f.base64 !== undefined ? Buffer.from(f.base64, 'base64') : Buffer.from(f.text ?? '', 'utf8'),
        });
      }
    }
    asicPath = path.join(filesDir, `${randomUUID()}.asic`);
    asicSize = await writeAsic(asicPath, sources);
    await Promise.all(temp.map((p) => rm(p, { force: true })));
  }
  const serviceIdentifier = body.serviceIdentifier ?? 'DPO';
  state.inbox.set(messageId, {
    messageId,
    conversationId,
    sbd,
    asicPath,
    asicSize,
    serviceIdentifier,
    process,
    senderIdentifier: sender,
    receiverIdentifier: receiver,
    lastUpdated: Date.now(),
    expiry,
  });
  let conv = state.findConversation(messageId, 'INCOMING');
  if (!conv) {
    conv = state.createConversation({
      conversationId,
      messageId,
      direction: 'INCOMING',
      serviceIdentifier,
      senderIdentifier: sender,
      receiverIdentifier: receiver,
      processIdentifier: process,
      documentType,
      expiry,
      outcome: 'delivered',
    });
    state.addStatus(conv, 'OPPRETTET');
  }
  state.addStatus(conv, 'INNKOMMENDE_MOTTATT');
  return { messageId, queued: true };
}

export function controlRoutes(faults: FaultRule[]): Route[] {
  return [
    [
      'GET',
      /^\/_control\/state$/,
      async ({ state, res }) =>
        sendIpJson(res, 200, {
          outbox: state.outbox.size,
          conversations: state.conversations.length,
          inbox: state.inbox.size,
          statusQueue: state.statusQueue.length,
          subscriptions: [...state.subscriptions.values()].map((s) => ({ id: s.id, name: s.name })),
          uploadsInProgress: state.uploadsInProgress,
          stats: state.stats,
          settings: state.settings,
        }),
    ],
    [
      'GET',
      /^\/_control\/messages\/([^/]+)$/,
      async ({ state, params, res }) => {
        const outbox = state.outbox.get(params[0]);
        sendIpJson(res, 200, {
          creates: state.stats.creates[params[0]] ?? 0,
          conversations: state.conversations
            .filter((c) => c.messageId === params[0])
            .map((c) => ({
              direction: c.direction,
              serviceIdentifier: c.serviceIdentifier,
              statuses: c.statuses.map((s) => s.status),
            })),
          outbox: outbox
            ? {
                files: outbox.files.map((f) => ({ fileName: f.fileName, size: f.size, title: f.title })),
                sending: outbox.sending,
              }
            : null,
          inbox: state.inbox.has(params[0]),
        });
      },
    ],
    [
      'POST',
      /^\/_control\/incoming$/,
      async ({ state, req, res, filesDir }) =>
        sendIpJson(res, 200, await injectIncoming(state, filesDir, await json<IncomingInjection>(req))),
    ],
    [
      'POST',
      /^\/_control\/statuses$/,
      async ({ state, req, res }) => {
        const body = await json<{ messageId: string; status: string; description?: string }>(req);
        const conv = state.findConversation(body.messageId);
        if (!conv) throw new SimError(404, 'ConversationNotFoundException', 'No conversation for that messageId');
        if (!isMessageStatus(body.status)) throw badRequest('IllegalArgumentException', 'Unknown status');
        sendIpJson(res, 200, state.addStatus(conv, body.status, body.description));
      },
    ],
    [
      'PUT',
      /^\/_control\/receivers\/([^/]+)$/,
      async ({ state, params, req, res }) => {
        const body = await json<{ routing?: Routing; outcome?: Outcome; processes?: string[] }>(req);
        const current = state.participants[params[0]] ?? { routing: 'DPO', outcome: 'delivered' };
        state.participants[params[0]] = { ...current, ...body };
        sendIpJson(res, 200, state.participants[params[0]]);
      },
    ],
    [
      'PUT',
      /^\/_control\/outcomes\/([^/]+)$/,
      async ({ state, params, req, res }) => {
        const body = await json<{ outcome: Outcome }>(req);
        state.outcomeOverrides.set(params[0], body.outcome);
        sendIpJson(res, 200, { messageId: params[0], outcome: body.outcome });
      },
    ],
    [
      'PUT',
      /^\/_control\/settings$/,
      async ({ state, req, res }) => {
        const body = await json<Partial<SimSettings>>(req);
        Object.assign(state.settings, body);
        if (body.expiryCheckMs !== undefined) state.scheduleExpiryJob();
        sendIpJson(res, 200, state.settings);
      },
    ],
    [
      'POST',
      /^\/_control\/expiry-job$/,
      async ({ state, res }) => {
        state.runExpiryJob();
        sendIpJson(res, 200, { ran: true });
      },
    ],
    [
      'POST',
      /^\/_control\/faults$/,
      async ({ req, res }) => {
        const rule = await json<FaultRule>(req);
        new RegExp(rule.path);
        faults.push({ ...rule, count: rule.count ?? 1 });
        sendIpJson(res, 200, { faults: faults.length });
      },
    ],
    [
      'DELETE',
      /^\/_control\/faults$/,
      async ({ res }) => {
        faults.length = 0;
        sendIpJson(res, 200, { faults: 0 });
      },
    ],
  ];
}
