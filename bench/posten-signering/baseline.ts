import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostenSignatureClient } from '../../src/integrations/posten-signering/client';
import { PostenTooEagerPollingError } from '../../src/integrations/posten-signering/errors';

/**
 * The plain, non-durable loop a developer would write with the official clients: poll one change, download what it
 * offers (each new XAdES; the PAdES when the job has ended), confirm, repeat; after a 204 wait for the permitted time.
 * Nothing is stored durably and nothing survives a crash: it is the speed reference, not an alternative.
 */
export async function runBaselineLoop(
  client: PostenSignatureClient,
  sender: string,
  changesWanted: number,
): Promise<{ changes: number; tooEager: number }> {
  let changes = 0;
  let tooEager = 0;
  const devNull = (): Writable => new Writable({ write: (_c, _e, done) => done() });
  while (changes < changesWanted) {
    let poll;
    try {
      poll = await client.pollStatusChange(sender);
    } catch (err) {
      if (!(err instanceof PostenTooEagerPollingError)) throw err;
      tooEager++;
      await new Promise((r) => setTimeout(r, Math.max(0, err.nextPermittedPollAt - Date.now())));
      continue;
    }
    if (poll.kind === 'empty') {
      await new Promise((r) => setTimeout(r, Math.max(0, poll.nextPermittedPollAt - Date.now())));
      continue;
    }
    const { change } = poll;
    const terminal = change.status !== 'IN_PROGRESS';
    // Without durable state the loop cannot know which XAdES it already has: like the samples, it takes the new
    // signer's (the last SIGNED one) and, at the end, the PAdES.
    const signed = change.signatures.filter((s) => s.status === 'SIGNED' && s.xadesUrl);
    const newest = signed.sort((a, b) => Date.parse(b.since) - Date.parse(a.since))[0];
    if (newest?.xadesUrl) await pipeline(await client.download(sender, newest.xadesUrl, 'xades'), devNull());
    if (terminal && change.padesUrl) await pipeline(await client.download(sender, change.padesUrl, 'pades'), devNull());
    await client.confirm(sender, change.confirmationUrl);
    changes++;
  }
  return { changes, tooEager };
}
