import type { Client } from '@temporalio/client';
import { decodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { revealsMarker } from '../../harness/plaintext';

/**
 * What an operator reads about a workflow, decoded as the UI shows it through the codec server: its ID, static
 * summary and details, search attributes, current details, and the summaries of its activities and timers.
 */
export async function operatorView(client: Client, workflowId: string): Promise<string[]> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  const texts = [
    workflowId,
    (await description.staticSummary()) ?? '',
    (await description.staticDetails()) ?? '',
    JSON.stringify(description.typedSearchAttributes.getAll()),
    metadata.currentDetails ?? '',
  ];
  for (const event of (await handle.fetchHistory()).events ?? []) {
    if (!event.userMetadata) continue;
    const { staticSummary, staticDetails } = await decodeUserMetadata(
      client.options.loadedDataConverter,
      event.userMetadata,
    );
    texts.push(String(staticSummary ?? ''), String(staticDetails ?? ''));
  }
  return texts;
}

/** Fails when any marker (a personal number, an e-mail address) is in the operator's view or readable in the history. */
export async function assertNoPersonalData(client: Client, workflowId: string, markers: string[]): Promise<void> {
  const view = (await operatorView(client, workflowId)).join('\n');
  const history = historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory());
  for (const marker of markers) {
    if (view.includes(marker)) throw new Error(`personal data (${marker.length} characters) in the operator's view`);
    if (revealsMarker(history, marker)) throw new Error('personal data readable in the exported history');
  }
}
