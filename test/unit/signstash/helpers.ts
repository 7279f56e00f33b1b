import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { ClientServiceCredentials } from '../../../src/integrations/signstash/model';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';
import { SignstashClient } from '../../../src/integrations/signstash/client';
import { DocumentContent, SignRequestBuilder, type SignRequest } from '../../../src/integrations/signstash/model';
import { SignstashSimulator, type SignstashSimulatorOptions } from '../../../src/simulators/signstash';

export const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

export async function startSimulator(options: Partial<SignstashSimulatorOptions> = {}): Promise<SignstashSimulator> {
  return SignstashSimulator.start({
    dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-signstash-sim-')),
    baseDelayMs: 200,
    perDocumentDelayMs: 10,
    retryAfterSeconds: 1,
    ...options,
  });
}

export function clientFor(
  sim: SignstashSimulator,
  env: Record<string, string> = {},
): {
  client: SignstashClient;
  credentials: ClientServiceCredentials;
} {
  const config = loadSignstashConfig({ ...sim.env(), ...env });
  const [credentials] = [...config.credentials.values()];
  return { client: new SignstashClient(config), credentials };
}

export function request(reference: string, count = 2): SignRequest {
  const builder = SignRequestBuilder.forReference(reference).description('Contracts for signing');
  for (let i = 0; i < count; i++) {
    builder.addDocument({
      externalReference: `${reference}-doc${i}`,
      name: `contract-${i}.pdf`,
      contentType: 'application/pdf',
      content: DocumentContent.fromBytes(pdf(`document ${i}`)),
      signature: { signatureType: 'PAdES' },
    });
  }
  return builder.build();
}

/** A content store that keeps the signed bytes in memory (unit tests only). */
export async function collect(_index: number, content: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A two-instance simulator and a client of it for the enclosing `describe` (started before, stopped after). */
export function useSimulatorWithClient(): { sim: SignstashSimulator; ctx: ReturnType<typeof clientFor> } {
  const rig = {} as { sim: SignstashSimulator; ctx: ReturnType<typeof clientFor> };
  before(async () => {
    rig.sim = await startSimulator({ instances: 2 });
    rig.ctx = clientFor(rig.sim);
  });
  after(async () => {
    await rig.ctx.client.close();
    await rig.sim.stop();
  });
  return rig;
}
