import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (installed by `npm run setup -- --browser`), headless, with no traffic to the outside world.
 * Playwright gives every launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.FERJE_CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
