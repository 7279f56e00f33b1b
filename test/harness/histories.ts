import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const historiesDir = path.join(__dirname, '..', 'replay', 'histories');

/** Sidecar next to each history: replay needs the workflow ID (workflows may read it) and people need context. */
export interface HistoryMeta {
  workflowId: string;
  workflowType: string;
  path: string;
  recordedAt: string;
}

/**
 * Called by workflow tests at the end of a main path. Writes only under `npm run record-histories`
 * (FERJE_RECORD_HISTORIES=1), and never overwrites a committed history: a failing replay means "use patched()",
 * not "record again". FERJE_RECORD_FORCE=1 exists for a deliberate, reviewed re-recording.
 */
export async function recordHistory(
  client: Client,
  workflowId: string,
  name: string,
  options: { runId?: string; path?: string } = {},
): Promise<boolean> {
  if (process.env.FERJE_RECORD_HISTORIES !== '1') return false;
  const file = path.join(historiesDir, `${name}.json`);
  if (existsSync(file) && process.env.FERJE_RECORD_FORCE !== '1') return false;
  const handle = client.workflow.getHandle(workflowId, options.runId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  await mkdir(historiesDir, { recursive: true });
  await writeFile(file, historyToJSON(history));
  const meta: HistoryMeta = {
    workflowId,
    workflowType: description.type,
    path: options.path ?? name,
    recordedAt: new Date().toISOString(),
  };
  await writeFile(path.join(historiesDir, `${name}.meta.json`), `${JSON.stringify(meta, null, 2)}\n`);
  return true;
}

export interface CommittedHistory {
  name: string;
  meta: HistoryMeta;
  history: unknown;
}

export async function loadCommittedHistories(): Promise<CommittedHistory[]> {
  if (!existsSync(historiesDir)) return [];
  const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json') && !f.endsWith('.meta.json')).sort();
  const out: CommittedHistory[] = [];
  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    // Read first, then parse (the docs' example parses before the read resolves).
    const historyText = await readFile(path.join(historiesDir, file), 'utf8');
    const metaText = await readFile(path.join(historiesDir, `${name}.meta.json`), 'utf8');
    out.push({ name, history: JSON.parse(historyText), meta: JSON.parse(metaText) as HistoryMeta });
  }
  return out;
}
