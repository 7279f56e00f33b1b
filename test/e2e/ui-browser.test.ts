import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startFlow } from '../../src/client/flows';
import { signatureOperationFlow, type SignatureOperationInput } from '../../src/contract/signstash';
import { startDevStack } from '../../src/dev/stack';
import { createLogger } from '../../src/logging/logger';
import { loadSignstashConfig } from '../../src/modules/signstash/config';
import { launchChromium } from '../harness/browser';
import { testKeyFilePath } from '../harness/keys';
import { freePort } from '../harness/ports';

const MARKER = '13097248022';

async function waitForTextInAnyFrame(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = [];
    for (const frame of page.frames()) {
      // Evaluated in the browser (a string, as this project has no DOM typings).
      const content = String(await frame.evaluate('document.body ? document.body.innerText : ""').catch(() => ''));
      const normalised = content.replace(/\s+/g, ' ').replace(/[\u2018\u2019]/g, "'");
      if (normalised.includes(text)) return;
      seen.push(normalised.slice(0, 300));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`"${text}" did not appear in the UI within ${timeoutMs} ms; frames showed:\n${seen.join('\n')}`);
}

describe('Temporal UI of the dev stack (headless Chromium)', () => {
  it('finds a Ferje workflow by its search attributes and shows its summary and its input decoded by the codec server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-ui-'));
    const uiPort = await freePort();
    const logLines: string[] = [];
    // The real stack with one integration: its simulator, its worker, the codec server and the UI wired to it.
    const stack = await startDevStack({
      env: {
        ...process.env,
        FERJE_DATA_DIR: dataDir,
        FERJE_CODEC_KEY_FILE: testKeyFilePath,
        FERJE_DEV_TEMPORAL_PORT: String(await freePort()),
        FERJE_DEV_UI_PORT: String(uiPort),
        FERJE_CODEC_SERVER_PORT: '0',
        FERJE_DOCUMENTS_PORT: '0',
        FERJE_INGRESS_PORT: '0',
        FERJE_DEV_SIMULATOR_BASE_PORT: '0',
      },
      logger: createLogger('dev', 'DEBUG', (l) => logLines.push(l)),
      integrations: ['signstash'],
    });
    const cleanups: (() => Promise<unknown>)[] = [() => stack.stop()];
    try {
      const browser = await launchChromium();
      cleanups.push(() => browser.close());

      const [clientServiceId] = [...loadSignstashConfig(stack.env).credentials.keys()];
      const reference = `ui-${Date.now()}`;
      const input: SignatureOperationInput = {
        clientServiceId,
        externalReference: reference,
        // Free text a caller might fill with personal data: it must reach the UI only through the codec server.
        description: `Employment contract for ${MARKER}`,
        documents: [
          {
            externalReference: `${reference}-1`,
            name: 'contract.xml',
            contentType: 'text/xml',
            content: { base64: Buffer.from('<contract>1</contract>').toString('base64') },
            signatureType: 'XAdES',
          },
        ],
      };
      const started = await startFlow(stack.platform.client, signatureOperationFlow, input);
      const result = await started.result();
      assert.equal(result.signedCount, 1);
      const summary = signatureOperationFlow.summary(input);
      assert.ok(!summary.includes(MARKER));

      const page = await browser.newPage();
      const query = encodeURIComponent(`FerjeExternalReference="${reference}" AND FerjeIntegration="signstash"`);
      await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${query}`);
      const link = page.getByRole('link', { name: started.workflowId, exact: true });
      await link.waitFor({ timeout: 30_000 });
      await link.click();

      // Input: the server holds ciphertext only; the browser shows plain JSON because the codec server decoded it.
      await page.getByText(MARKER).first().waitFor({ timeout: 30_000 });
      await page.getByText('User Metadata', { exact: true }).click();
      // The UI renders the summary as sandboxed markdown in an iframe.
      await waitForTextInAnyFrame(page, summary);

      const decodes = logLines.filter((l) => l.includes('"msg":"codec request"') && l.includes('"op":"decode"'));
      assert.ok(decodes.length > 0, 'the UI called the codec server to decode');
      assert.ok(!logLines.some((l) => l.includes(MARKER)), 'no personal data in the stack logs');
      await page.screenshot({ path: path.join(dataDir, 'ui.png') });
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});
