import { badRequest, SimError } from './http-util';
import type { OutboxMessage, SimState } from './state';

/** The business message's `hoveddokument` and (DPI `digital`) `metadataFiler`, as the IP reads them. */
function businessOf(message: OutboxMessage): { hoveddokument?: unknown; metadataFiler?: unknown } {
  const business = message.sbd[message.documentType];
  return typeof business === 'object' && business !== null ? business : {};
}

/** `NextMoveOutMessage.isPrimaryDocument`: the file whose name equals the business message's `hoveddokument`. */
export function isPrimaryDocument(message: OutboxMessage, fileName: string): boolean {
  return businessOf(message).hoveddokument === fileName;
}

function metadataFiles(message: OutboxMessage): Record<string, string> {
  const map = businessOf(message).metadataFiler;
  if (typeof map !== 'object' || map === null) return {};
  return Object.fromEntries(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Spring `DataSize` renders a total under 1 MB in bytes, else in whole (binary) megabytes. */
function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes}b` : `${Math.floor(bytes / (1024 * 1024))}MB`;
}

/**
 * `NextMoveValidator.validateFile`, in its order: a second file of the same name (`DuplicateFilenameException`), the
 * transport's total (`NextMoveFileSizeValidator`: a total equal to the limit passes), a second primary document, a
 * DPV file without title, a DPI file without title that is neither the primary document nor a metadata file named in
 * `metadataFiler`'s values (`MissingFileTitleException`).
 */
export function checkFileAdd(
  state: SimState,
  message: OutboxMessage,
  file: { fileName: string; title?: string; size: number },
): void {
  if (message.files.some((f) => f.fileName === file.fileName))
    throw badRequest('DuplicateFilenameException', `Filename already exists in message: ${file.fileName}.`);
  const limit = state.settings.transportLimitBytes[message.serviceIdentifier];
  const total = message.files.reduce((sum, f) => sum + f.size, 0) + file.size;
  if (limit !== undefined && total > limit)
    throw badRequest(
      'MaxFileSizeExceededException',
      `The combined file size for all attachments (${sizeText(total)}) exceeds the maximum allowed upload size for the target service (${message.serviceIdentifier}, ${sizeText(limit)})`,
    );
  const primary = isPrimaryDocument(message, file.fileName);
  if (primary && message.files.some((f) => isPrimaryDocument(message, f.fileName)))
    throw badRequest('MultiplePrimaryDocumentsNotAllowedException', 'Messages can only contain one primary document');
  const titled = typeof file.title === 'string' && file.title.trim() !== '';
  if (message.serviceIdentifier === 'DPV' && !titled)
    throw badRequest('MissingFileTitleException', 'Title is required for the following capabilities: DPV');
  if (message.serviceIdentifier === 'DPI' && !titled && !primary) {
    const isMetadata =
      message.documentType === 'digital' && Object.values(metadataFiles(message)).includes(file.fileName);
    if (!isMetadata)
      throw badRequest('MissingFileTitleException', 'Title is required for the following capabilities: DPI');
  }
}

/**
 * `NextMoveValidator.validate(NextMoveOutMessage)` for `digital`: every file named in `metadataFiler` (keys and
 * values) must be part of the message, else 404 `FileNotFoundException`.
 */
export function checkMetadataFiles(message: OutboxMessage): void {
  if (message.documentType !== 'digital') return;
  const names = new Set(message.files.map((f) => f.fileName));
  const map = metadataFiles(message);
  const missing = [...new Set([...Object.keys(map), ...Object.values(map)])].filter((n) => !names.has(n));
  if (missing.length > 0)
    throw new SimError(404, 'FileNotFoundException', `File(s) named ${missing.join(', ')} was not found`);
}
