import path from 'node:path';
import { readFileSync } from 'node:fs';
import { keyRingFromKeyFile, type KeyFile, type KeyRing } from '../../src/codec/key-ring';

/**
 * A fixed, committed key used only by tests. Recorded histories are encrypted with it, so replaying them also proves
 * that encrypted histories stay replayable.
 */
export const testKeyFilePath = path.join(__dirname, '..', 'fixtures', 'test-codec-keys.json');

export function testKeyRing(): KeyRing {
  return keyRingFromKeyFile(JSON.parse(readFileSync(testKeyFilePath, 'utf8')) as KeyFile, testKeyFilePath);
}

/** Environment variables that make a child Ferje process use the test key. */
export function testKeyEnv(): Record<string, string> {
  return { FERJE_CODEC_KEY_FILE: testKeyFilePath };
}
