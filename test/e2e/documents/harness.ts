import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ApiKeyRegistry, newApiKey } from '../../../src/documents/api-keys';
import { startDocumentsApi, type RunningDocumentsApi } from '../../../src/documents/server';
import { openDocumentStores, type DocumentStores } from '../../../src/documents/stores';
import { createLogger } from '../../../src/logging/logger';

export interface ApiRig {
  api: RunningDocumentsApi;
  stores: DocumentStores;
  keysFile: string;
  keys: Record<string, string>;
  logLines: string[];
  writeKeys(callers: Record<string, string[]>): void;
  close(): Promise<void>;
}

/**
 * A documents API on a free loopback port with a keys file for two calling systems, on its own blob folder or on the
 * `stores` the workers under test use.
 */
export async function startApiRig(
  client: Client,
  maxUploadBytes = 1024 * 1024,
  options: { stores?: DocumentStores } = {},
): Promise<ApiRig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-documents-'));
  const keysFile = path.join(dir, 'keys.json');
  const archive = newApiKey();
  const caseSystem = newApiKey();
  const writeKeys = (callers: Record<string, string[]>): void =>
    writeFileSync(keysFile, JSON.stringify({ callers }, null, 2));
  writeKeys({ archive: [archive.hash], 'case-system': [caseSystem.hash] });
  const keys = new ApiKeyRegistry(keysFile);
  await keys.load();
  const stores = options.stores ?? openDocumentStores({ blobDir: path.join(dir, 'blobs') });
  const logLines: string[] = [];
  const api = await startDocumentsApi({
    client,
    stores,
    host: '127.0.0.1',
    port: 0,
    keys,
    open: false,
    maxUploadBytes,
    logger: createLogger('documents', 'DEBUG', (l) => logLines.push(l)),
  });
  return {
    api,
    stores,
    keysFile,
    keys: { archive: archive.key, 'case-system': caseSystem.key },
    logLines,
    writeKeys,
    close: () => api.close(),
  };
}

export async function storedCount(stores: DocumentStores): Promise<number> {
  let n = 0;
  for await (const _ of stores.blobs.list()) n++;
  return n;
}
