import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import Busboy from 'busboy';
import { MULTIPART_MAX_FILE_BYTES } from '../../contract/eformidling';
import { readBody } from '../../http/server-utils';
import { capabilitiesFor } from './directory';
import {
  badRequest,
  ipTime,
  pageOf,
  pageParams,
  parseContentDisposition,
  sendEmpty,
  sendIpJson,
  SimError,
} from './http-util';
import { filterMatches, validWebhookFilterKeys, type OutboxMessage, type SimState, type StoredFile } from './state';
import { checkFileAdd } from './file-rules';
import { acceptSbd, validateForSend } from './validation';

export interface ApiContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  state: SimState;
  filesDir: string;
}

type Handler = (ctx: ApiContext) => Promise<void>;
export type Route = [method: string, pattern: RegExp, handler: Handler];

const notFound = (exception: string, message: string): SimError => new SimError(404, exception, message);

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req, 10 * 1024 * 1024)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('HttpMessageNotReadableException', 'JSON parse error');
  }
}

function outboxOrThrow(state: SimState, messageId: string): OutboxMessage {
  const message = state.outbox.get(messageId);
  if (!message) throw notFound('MessageNotFoundException', `Message with id ${messageId} not found`);
  return message;
}

/** Streams a request body to a file, honouring the upload throttle; deletes the partial file if the client aborts. */
async function bodyToFile(ctx: ApiContext, target: string): Promise<number> {
  let size = 0;
  const rate = ctx.state.settings.uploadThrottleBytesPerSecond;
  const started = Date.now();
  const meter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (rate <= 0) return done(null, chunk);
      const due = started + (size / rate) * 1000;
      setTimeout(() => done(null, chunk), Math.max(0, due - Date.now()));
    },
  });
  try {
    await pipeline(ctx.req, meter, createWriteStream(target, { highWaterMark: 1024 * 1024 }));
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  }
  return size;
}

async function sendOutgoing(ctx: ApiContext, message: OutboxMessage): Promise<void> {
  const { state } = ctx;
  const conv = state.findConversation(message.messageId, 'OUTGOING');
  if (!conv) throw new SimError(500, 'IllegalStateException', 'conversation missing');
  await validateForSend(state, message, () =>
    state.addStatus(conv, 'LEVETID_UTLOPT', 'Levetiden for meldingen er utgått. Må sendes på nytt'),
  );
  // Not idempotent, like the IP: every accepted send enqueues the message again.
  state.enqueueSend(message, conv);
}

function createOutgoing(ctx: ApiContext, raw: unknown): OutboxMessage {
  const { state } = ctx;
  const accepted = acceptSbd(state, raw, randomUUID);
  state.stats.creates[accepted.messageId] = (state.stats.creates[accepted.messageId] ?? 0) + 1;
  const message: OutboxMessage = {
    messageId: accepted.messageId,
    conversationId: accepted.conversationId,
    sbd: accepted.sbd,
    serviceIdentifier: accepted.serviceIdentifier,
    documentType: accepted.documentType,
    receiverId: accepted.receiverId,
    files: [],
    expiry: accepted.expiry,
    sending: false,
  };
  state.outbox.set(message.messageId, message);
  const conv = state.createConversation({
    conversationId: accepted.conversationId,
    messageId: accepted.messageId,
    direction: 'OUTGOING',
    serviceIdentifier: accepted.serviceIdentifier,
    senderIdentifier: `0192:${state.ownOrganisation}`,
    receiverIdentifier: accepted.receiverId,
    processIdentifier: accepted.process,
    documentType: accepted.documentType,
    expiry: accepted.expiry,
    outcome: state.outcomeFor(accepted.messageId, accepted.receiverId),
  });
  state.addStatus(conv, 'OPPRETTET');
  return message;
}

/** `POST /api/messages/out/multipart`: every file streamed to disk; 5 MiB per file; create + send in one call. */
async function multipart(ctx: ApiContext): Promise<void> {
  const { state, req } = ctx;
  state.stats.multipartPosts++;
  let sbdJson: string | undefined;
  const files: (StoredFile & { tooLarge: boolean })[] = [];
  const writes: Promise<void>[] = [];
  await new Promise<void>((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({
        headers: req.headers,
        limits: { fileSize: MULTIPART_MAX_FILE_BYTES, fieldSize: 10 * 1024 * 1024 },
      });
    } catch {
      reject(badRequest('MultipartException', 'Not a multipart request'));
      return;
    }
    bb.on('field', (name, value) => {
      if (name === 'sbd') sbdJson = value;
    });
    bb.on('file', (name, stream, info) => {
      const stored = {
        fileName: info.filename ?? name,
        title: name,
        mediaType: info.mimeType,
        size: 0,
        path: path.join(ctx.filesDir, randomUUID()),
        tooLarge: false,
      };
      files.push(stored);
      stream.on('data', (chunk: Buffer) => (stored.size += chunk.length));
      stream.on('limit', () => (stored.tooLarge = true));
      writes.push(pipeline(stream, createWriteStream(stored.path)));
    });
    bb.on('close', () => resolve());
    bb.on('error', (err) => reject(err as Error));
    req.pipe(bb);
  });
  await Promise.all(writes);
  const cleanup = (): Promise<unknown> => Promise.all(files.map((f) => rm(f.path, { force: true })));
  let created = false;
  try {
    const tooLarge = files.find((f) => f.tooLarge);
    if (tooLarge)
      throw badRequest(
        'MultipartFileToLargeException',
        `The attachment named '${tooLarge.fileName}' is too large. The maximum size for multipart requests is ${MULTIPART_MAX_FILE_BYTES} bytes. Please use the non-multipart API to avoid such problems.`,
      );
    const names = files.map((f) => f.fileName);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length > 0)
      throw badRequest('DuplicateFilenameException', `Filename already exists in message: ${dup.join(', ')}.`);
    if (sbdJson === undefined)
      throw badRequest('MissingServletRequestPartException', "Required request part 'sbd' is not present");
    let raw: unknown;
    try {
      raw = JSON.parse(sbdJson);
    } catch {
      throw badRequest('HttpMessageNotReadableException', 'JSON parse error');
    }
    const message = createOutgoing(ctx, raw);
    try {
      // `createMessage(sbd, files)`: each file through `validateFile`, in one transaction with the create.
      for (const { tooLarge: _t, ...f } of files) {
        checkFileAdd(state, message, f);
        message.files.push(f);
      }
    } catch (err) {
      state.undoCreate(message);
      throw err;
    }
    // The send is a step of its own: when it is refused, the created message stays in the outbox with its files.
    created = true;
    await sendOutgoing(ctx, message);
    sendIpJson(ctx.res, 200, message.sbd);
  } catch (err) {
    if (!created) await cleanup();
    throw err;
  }
}

/** `PUT /api/messages/out/{id}`: raw body streamed to disk; title from `title` or the disposition name. */
async function upload(ctx: ApiContext): Promise<void> {
  const { state, req } = ctx;
  const message = outboxOrThrow(state, ctx.params[0]);
  const type = req.headers['content-type'];
  const disposition = parseContentDisposition(req.headers['content-disposition']);
  if (!type) throw badRequest('MissingRequestHeaderException', "Required request header 'Content-Type' is not present");
  if (!disposition.filename)
    throw badRequest('MissingRequestHeaderException', "Required request header 'Content-Disposition' is not present");
  const declared = Number(req.headers['content-length'] ?? 0);
  const title = ctx.query.get('title') ?? disposition.name;
  checkFileAdd(state, message, {
    fileName: disposition.filename,
    title,
    size: Number.isFinite(declared) ? declared : 0,
  });
  const target = path.join(ctx.filesDir, randomUUID());
  state.uploadsInProgress++;
  let size: number;
  try {
    size = await bodyToFile(ctx, target);
  } catch (err) {
    state.stats.uploadsAborted++;
    throw err;
  } finally {
    state.uploadsInProgress--;
  }
  try {
    checkFileAdd(state, message, { fileName: disposition.filename, title, size });
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  }
  message.files.push({
    fileName: disposition.filename,
    title,
    mediaType: type,
    size,
    path: target,
  });
  state.stats.uploads++;
  sendEmpty(ctx.res, 200);
}

function statusFilter(query: URLSearchParams) {
  const from = query.get('fromDateTime');
  const to = query.get('toDateTime');
  return (s: { id: number; messageId: string; conversationId: string; status: string; lastUpdate: string }): boolean =>
    (!query.get('id') || String(s.id) === query.get('id')) &&
    (!query.get('messageId') || s.messageId === query.get('messageId')) &&
    (!query.get('conversationId') || s.conversationId === query.get('conversationId')) &&
    (!query.get('status') || s.status === query.get('status')) &&
    (!from || !to || (Date.parse(s.lastUpdate) >= Date.parse(from) && Date.parse(s.lastUpdate) <= Date.parse(to)));
}

/** `ServiceIdentifier`'s constants: the only values `ServiceIdentifier.valueOf` accepts (case-sensitive). */
const SERVICE_IDENTIFIER_CONSTANTS = ['DPO', 'DPV', 'DPI', 'DPF', 'DPE', 'DPH', 'UNKNOWN'];

/**
 * The incoming-message filters (`NextMoveInMessageQueryInput`). The repository turns `serviceIdentifier` into the enum
 * with `ServiceIdentifier.valueOf`, so any other value (`dpo`, `XYZ`) ends in an unhandled IllegalArgumentException:
 * 500, not 400 (`NextMoveMessageInRepository`).
 */
function incomingFilter(query: URLSearchParams) {
  const service = query.get('serviceIdentifier');
  if (service !== null && !SERVICE_IDENTIFIER_CONSTANTS.includes(service))
    throw new SimError(
      500,
      'java.lang.IllegalArgumentException',
      `No enum constant no.difi.meldingsutveksling.ServiceIdentifier.${service}`,
    );
  return (e: {
    messageId: string;
    conversationId: string;
    serviceIdentifier: string;
    process?: string;
    senderIdentifier?: string;
    receiverIdentifier?: string;
  }) =>
    (!query.get('messageId') || e.messageId === query.get('messageId')) &&
    (!query.get('conversationId') || e.conversationId === query.get('conversationId')) &&
    (!query.get('serviceIdentifier') || e.serviceIdentifier === query.get('serviceIdentifier')) &&
    (!query.get('process') || e.process === query.get('process')) &&
    (!query.get('senderIdentifier') ||
      e.senderIdentifier?.replace(/^0192:/, '') === query.get('senderIdentifier')?.replace(/^0192:/, '')) &&
    (!query.get('receiverIdentifier') ||
      e.receiverIdentifier?.replace(/^0192:/, '') === query.get('receiverIdentifier')?.replace(/^0192:/, ''));
}

function lockedIncoming(state: SimState, messageId: string) {
  const entry = state.inbox.get(messageId);
  if (!entry) throw notFound('MessageNotFoundException', `Message with id ${messageId} not found`);
  if (!entry.lockedUntil || entry.lockedUntil <= Date.now()) {
    state.stats.notLockedRejections++;
    throw badRequest('MessageNotLockedException', `Message with id ${messageId} not locked`);
  }
  return entry;
}

function conversationJson(c: SimState['conversations'][number]) {
  return {
    id: c.id,
    conversationId: c.conversationId,
    messageId: c.messageId,
    senderIdentifier: c.senderIdentifier,
    receiverIdentifier: c.receiverIdentifier,
    processIdentifier: c.processIdentifier,
    lastUpdate: c.statuses.at(-1)?.lastUpdate,
    finished: c.finished,
    expiry: ipTime(c.expiry),
    direction: c.direction,
    serviceIdentifier: c.serviceIdentifier,
    messageStatuses: c.statuses.map((s) => ({
      id: s.id,
      lastUpdate: s.lastUpdate,
      status: s.status,
      description: s.description,
    })),
  };
}

export const apiRoutes: Route[] = [
  [
    'GET',
    /^\/api\/capabilities\/([^/]+)$/,
    async ({ state, params, query, res }) => {
      state.stats.capabilityLookups++;
      const found = capabilitiesFor(params[0], state.participants, state.settings.defaultPersonOutcome);
      if (!found) throw notFound('IdentifierNotFoundException', `Identifier ${params[0]} not found`);
      const process = query.get('process');
      sendIpJson(res, 200, { capabilities: found.capabilities.filter((c) => !process || c.process === process) });
    },
  ],
  ['POST', /^\/api\/messages\/out\/multipart$/, multipart],
  [
    'POST',
    /^\/api\/messages\/out$/,
    async (ctx) => {
      const message = createOutgoing(ctx, await jsonBody(ctx.req));
      sendIpJson(ctx.res, 200, message.sbd);
    },
  ],
  [
    'GET',
    /^\/api\/messages\/out$/,
    async ({ state, query, res }) => {
      const { page, size } = pageParams(query);
      const all = [...state.outbox.values()].filter(
        (m) => !query.get('messageId') || m.messageId === query.get('messageId'),
      );
      sendIpJson(
        res,
        200,
        pageOf(
          all.map((m) => m.sbd),
          page,
          size,
        ),
      );
    },
  ],
  [
    'GET',
    /^\/api\/messages\/out\/([^/]+)$/,
    async ({ state, params, res }) => sendIpJson(res, 200, outboxOrThrow(state, params[0]).sbd),
  ],
  ['PUT', /^\/api\/messages\/out\/([^/]+)$/, upload],
  [
    'POST',
    /^\/api\/messages\/out\/([^/]+)$/,
    async (ctx) => {
      await sendOutgoing(ctx, outboxOrThrow(ctx.state, ctx.params[0]));
      sendEmpty(ctx.res, 200);
    },
  ],
  [
    'DELETE',
    /^\/api\/messages\/out\/([^/]+)$/,
    async ({ state, params, res }) => {
      const message = state.outbox.get(params[0]);
      if (message) await state.dropOutbox(message);
      sendEmpty(res, 200);
    },
  ],
  [
    'GET',
    /^\/api\/statuses\/peek$/,
    async ({ state, res }) => {
      const head = state.statusQueue[0];
      if (!head) return sendEmpty(res, 204);
      sendIpJson(res, 200, head);
    },
  ],
  [
    'DELETE',
    /^\/api\/statuses\/(\d+)$/,
    async ({ state, params, res }) => {
      const index = state.statusQueue.findIndex((s) => String(s.id) === params[0]);
      if (index < 0) throw notFound('StatusNotFoundException', `Status ${params[0]} not found in queue`);
      state.statusQueue.splice(index, 1);
      state.stats.statusQueueDeletes++;
      sendEmpty(res, 200);
    },
  ],
  [
    'GET',
    /^\/api\/statuses$/,
    async ({ state, query, res }) => {
      const { page, size } = pageParams(query);
      const all = state.conversations
        .flatMap((c) => c.statuses)
        .filter(statusFilter(query))
        .sort((a, b) => a.id - b.id);
      sendIpJson(res, 200, pageOf(all, page, size));
    },
  ],
  [
    'GET',
    /^\/api\/statuses\/([^/]+)$/,
    async ({ state, params, query, res }) => {
      const { page, size } = pageParams(query);
      const all = state.conversations
        .filter((c) => c.messageId === params[0])
        .flatMap((c) => c.statuses)
        .sort((a, b) => a.id - b.id);
      sendIpJson(res, 200, pageOf(all, page, size));
    },
  ],
  [
    'GET',
    /^\/api\/conversations\/messageId\/([^/]+)$/,
    async ({ state, params, res }) => {
      const conv = state.findConversation(params[0], 'OUTGOING');
      if (!conv) throw notFound('MessageNotFoundException', `Conversation with messageId ${params[0]} not found`);
      sendIpJson(res, 200, conversationJson(conv));
    },
  ],
  [
    'GET',
    /^\/api\/conversations$/,
    async ({ state, query, res }) => {
      const { page, size } = pageParams(query);
      const all = state.conversations.filter((c) => !query.get('messageId') || c.messageId === query.get('messageId'));
      sendIpJson(res, 200, pageOf(all.map(conversationJson), page, size));
    },
  ],
  [
    'GET',
    /^\/api\/messages\/in\/peek$/,
    async ({ state, query, res }) => {
      state.stats.peeks++;
      const now = Date.now();
      const candidate = [...state.inbox.values()]
        .filter((e) => !e.lockedUntil || e.lockedUntil <= now)
        .filter(incomingFilter(query))
        .sort((a, b) => a.lastUpdated - b.lastUpdated)[0];
      if (!candidate) return sendEmpty(res, 204);
      candidate.lockedUntil = now + state.settings.lockTimeoutMs;
      sendIpJson(res, 200, candidate.sbd);
    },
  ],
  [
    'GET',
    /^\/api\/messages\/in\/pop\/([^/]+)$/,
    async ({ state, params, res }) => {
      const entry = lockedIncoming(state, params[0]);
      state.stats.pops++;
      if (!entry.asicPath) return sendEmpty(res, 204);
      res.writeHead(200, {
        'content-type': 'application/vnd.etsi.asic-e+zip',
        'content-disposition': 'attachment; filename=asic.zip',
        'content-length': entry.asicSize,
      });
      await pipeline(createReadStream(entry.asicPath, { highWaterMark: 1024 * 1024 }), res);
    },
  ],
  [
    'DELETE',
    /^\/api\/messages\/in\/([^/]+)$/,
    async ({ state, params, res }) => {
      const entry = lockedIncoming(state, params[0]);
      state.inbox.delete(entry.messageId);
      state.stats.incomingDeletes++;
      if (entry.asicPath) await rm(entry.asicPath, { force: true });
      const conv = state.findConversation(entry.messageId, 'INCOMING');
      if (conv) state.addStatus(conv, 'INNKOMMENDE_LEVERT');
      sendIpJson(res, 200, entry.sbd);
    },
  ],
  [
    'GET',
    /^\/api\/messages\/in$/,
    async ({ state, query, res }) => {
      const { page, size } = pageParams(query);
      const all = [...state.inbox.values()].filter(incomingFilter(query)).sort((a, b) => a.lastUpdated - b.lastUpdated);
      sendIpJson(
        res,
        200,
        pageOf(
          all.map((e) => e.sbd),
          page,
          size,
        ),
      );
    },
  ],
  [
    'POST',
    /^\/api\/subscriptions$/,
    async ({ state, req, res }) => {
      const body = (await jsonBody(req)) as Record<string, unknown>;
      const errors: { field: string; code: string; defaultMessage: string }[] = [];
      if (body.id !== undefined) errors.push({ field: 'id', code: 'Null', defaultMessage: 'must be null' });
      if (typeof body.name !== 'string' || !body.name)
        errors.push({ field: 'name', code: 'NotNull', defaultMessage: 'must not be null' });
      let validUrl = false;
      try {
        validUrl = typeof body.pushEndpoint === 'string' && /^https?:$/.test(new URL(body.pushEndpoint).protocol);
      } catch {
        validUrl = false;
      }
      if (!validUrl) errors.push({ field: 'pushEndpoint', code: 'URL', defaultMessage: 'must be a valid URL' });
      if (body.resource !== 'all' && body.resource !== 'messages')
        errors.push({ field: 'resource', code: 'OneOf', defaultMessage: 'must be one of all, messages' });
      if (body.event !== 'all' && body.event !== 'status')
        errors.push({ field: 'event', code: 'OneOf', defaultMessage: 'must be one of all, status' });
      if (body.filter !== undefined && typeof body.filter !== 'string')
        errors.push({ field: 'filter', code: 'WebhookFilter', defaultMessage: 'must be a string' });
      else if (body.filter !== undefined) {
        const keys = [...new URLSearchParams(body.filter).keys()];
        if (keys.some((k) => !validWebhookFilterKeys.includes(k)))
          errors.push({ field: 'filter', code: 'WebhookFilter', defaultMessage: 'unknown filter' });
      }
      if (errors.length > 0)
        throw new SimError(
          400,
          'MethodArgumentNotValidException',
          "Validation failed for object='subscription'",
          errors,
        );
      const exists = [...state.subscriptions.values()].some(
        (s) => s.name === body.name && s.pushEndpoint === body.pushEndpoint,
      );
      if (exists)
        throw badRequest(
          'SubscriptionWithSameNameAndPushEndpointAlreadyExists',
          'Subscription with same name and push endpoint already exists',
        );
      await state.ping(String(body.pushEndpoint));
      const row = state.addSubscription({
        name: String(body.name),
        pushEndpoint: String(body.pushEndpoint),
        resource: String(body.resource),
        event: String(body.event),
        filter: typeof body.filter === 'string' ? body.filter : undefined,
      });
      sendIpJson(res, 200, row);
    },
  ],
  [
    'GET',
    /^\/api\/subscriptions$/,
    async ({ state, query, res }) => {
      const { page, size } = pageParams(query);
      sendIpJson(res, 200, pageOf([...state.subscriptions.values()], page, size));
    },
  ],
  [
    'GET',
    /^\/api\/subscriptions\/(\d+)$/,
    async ({ state, params, res }) => {
      const sub = state.subscriptions.get(Number(params[0]));
      if (!sub) throw notFound('SubscriptionNotFoundException', `Subscription ${params[0]} not found`);
      sendIpJson(res, 200, sub);
    },
  ],
  [
    'PUT',
    /^\/api\/subscriptions\/(\d+)$/,
    async ({ state, params, req, res }) => {
      const sub = state.subscriptions.get(Number(params[0]));
      if (!sub) throw notFound('SubscriptionNotFoundException', `Subscription ${params[0]} not found`);
      const body = (await jsonBody(req)) as Partial<typeof sub>;
      const endpointChanged = body.pushEndpoint !== undefined && body.pushEndpoint !== sub.pushEndpoint;
      if (endpointChanged) await state.ping(String(body.pushEndpoint));
      for (const key of ['name', 'pushEndpoint', 'resource', 'event', 'filter'] as const) {
        if (body[key] !== undefined && body[key] !== null) sub[key] = String(body[key]);
      }
      sendEmpty(res, 200);
    },
  ],
  [
    'DELETE',
    /^\/api\/subscriptions\/(\d+)$/,
    async ({ state, params, res }) => {
      if (!state.subscriptions.delete(Number(params[0])))
        throw notFound('SubscriptionNotFoundException', `Subscription ${params[0]} not found`);
      sendEmpty(res, 200);
    },
  ],
  [
    'DELETE',
    /^\/api\/subscriptions$/,
    async ({ state, res }) => {
      state.subscriptions.clear();
      sendEmpty(res, 200);
    },
  ],
];

export async function ensureFilesDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export { filterMatches };
