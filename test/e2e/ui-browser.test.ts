import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import type { Page } from 'playwright-core';
import { startFlow } from '../../src/client/flows';
import { defineFlow } from '../../src/contract/flow';
import { startDevStack } from '../../src/dev/stack';
import { createLogger } from '../../src/logging/logger';
import { createFerjeWorker } from '../../src/worker/workers';
import { createFixtureActivities } from '../fixtures/activities';
import { launchChromium } from '../harness/browser';
import { testKeyFilePath, testKeyRing } from '../harness/keys';
import { freePort } from '../harness/ports';
import { fixtureWorkflowSource, fixturesDir } from '../harness/worker';

const MARKER = '13097248022';

async function waitForTextInAnyFrame(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      // Evaluated in the browser (a string, as this project has no DOM typings).
      const content = String(await frame.evaluate('document.body ? document.body.innerText : ""').catch(() => ''));
      if (content.replace(/\s+/g, ' ').includes(text)) return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`"${text}" did not appear in the UI within ${timeoutMs} ms`);
}

describe('Temporal UI of the dev stack (headless Chromium)', () => {
  it('finds a Ferje workflow by search attribute and shows its summary and its input decoded by the codec server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-ui-'));
    const uiPort = await freePort();
    const logLines: string[] = [];
    const stack = await startDevStack({
      env: {
        ...process.env,
        FERJE_DATA_DIR: dataDir,
        FERJE_CODEC_KEY_FILE: testKeyFilePath,
        FERJE_DEV_TEMPORAL_PORT: String(await freePort()),
        FERJE_DEV_UI_PORT: String(uiPort),
        FERJE_CODEC_SERVER_PORT: '0',
        FERJE_INGRESS_PORT: '0',
        FERJE_DEV_SIMULATOR_BASE_PORT: '0',
      },
      logger: createLogger('dev', 'DEBUG', (l) => logLines.push(l)),
      integrations: [],
    });
    const cleanups: (() => Promise<unknown>)[] = [() => stack.stop()];
    try {
      const browser = await launchChromium();
      cleanups.push(() => browser.close());
      const connection = await NativeConnection.connect({ address: stack.temporalAddress });
      cleanups.push(() => connection.close());
      const activityDir = mkdtempSync(path.join(tmpdir(), 'ferje-ui-act-'));
      writeFileSync(path.join(activityDir, 'release'), '');
      const worker = await createFerjeWorker({
        connection,
        namespace: 'default',
        taskQueue: 'ui-fixture',
        activities: createFixtureActivities(activityDir),
        source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
        keyRing: testKeyRing(),
        shutdownGraceTime: '1s',
      });
      const running = worker.run();
      cleanups.push(async () => {
        worker.shutdown();
        await running;
      });
      const reference = `ui-${Date.now()}`;
      const flow = defineFlow<{ caseRef: string; personalIdentificationNumber: string }, string>({
        name: 'ui-fixture',
        workflowType: 'awaitProceedWorkflow',
        taskQueue: 'ui-fixture',
        integration: 'signstash',
        inputTypeName: 'none',
        outputTypeName: 'none',
        description: 'fixture',
        workflowId: (i) => `ui-fixture/${i.caseRef}`,
        externalReference: (i) => i.caseRef,
        summary: (i) => `Fixture case ${i.caseRef} waiting for approval`,
      });
      const started = await startFlow(stack.platform.client, flow, {
        caseRef: reference,
        personalIdentificationNumber: MARKER,
      });
      assert.equal(started.started, true);

      const page = await browser.newPage();
      const query = encodeURIComponent(`FerjeExternalReference="${reference}" AND FerjeIntegration="signstash"`);
      await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${query}`);
      const link = page.getByRole('link', { name: started.workflowId, exact: true });
      await link.waitFor({ timeout: 30_000 });
      await link.click();

      // Input: the server holds ciphertext only; the browser shows plain JSON because the codec server decoded it.
      await page.getByText(MARKER).first().waitFor({ timeout: 30_000 });
      await page.getByText('User Metadata', { exact: true }).click();
      // The UI renders summary and current details as sandboxed markdown in iframes.
      await waitForTextInAnyFrame(page, `Fixture case ${reference} waiting for approval`);
      await waitForTextInAnyFrame(page, `Case ${reference} is waiting for proceed`);

      const decodes = logLines.filter((l) => l.includes('"msg":"codec request"') && l.includes('"op":"decode"'));
      assert.ok(decodes.length > 0, 'the UI called the codec server to decode');
      assert.ok(!logLines.some((l) => l.includes(MARKER)), 'no personal data in the stack logs');
      await page.screenshot({ path: path.join(dataDir, 'ui.png') });
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});
