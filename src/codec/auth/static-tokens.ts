import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { CodecAuthError, type CodecPrincipal, type CredentialCheck } from './credential';

/**
 * Static bearer tokens for the codec server, kept only as SHA-256 hashes in a file the operator owns, one per line:
 *
 *     sha256:<64 hex>  <namespace>[,<namespace>…]|*  [label]
 *
 * Lines starting with `#` are comments. The file is re-read when its modification time or size changes, so adding
 * or revoking a token needs no restart. The hash is enough: tokens are 256 random bits, so no salt or slow hash is
 * needed to resist guessing, and a leaked file reveals no usable token.
 */
export interface StaticTokenEntry {
  hash: Buffer;
  namespaces: string[] | undefined;
  label: string;
}

const LINE = /^sha256:([0-9a-f]{64})\s+(\S+)(?:\s+(.+))?$/i;

export function parseTokenFile(text: string, source: string): StaticTokenEntry[] {
  const entries: StaticTokenEntry[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) {
      throw new Error(`${source}:${index + 1}: expected "sha256:<64 hex> <namespaces|*> [label]"`);
    }
    const namespaces = match[2] === '*' ? undefined : match[2].split(',').filter(Boolean);
    entries.push({ hash: Buffer.from(match[1], 'hex'), namespaces, label: match[3]?.trim() ?? `token-${index + 1}` });
  }
  return entries;
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new token and the line that admits it; the token is shown once and never stored. */
export function newStaticToken(namespaces: string[] | '*', label: string): { token: string; line: string } {
  const token = `ferje_codec_${randomBytes(32).toString('base64url')}`;
  const ns = namespaces === '*' ? '*' : namespaces.join(',');
  return { token, line: `sha256:${hashToken(token)} ${ns} ${label.replace(/\s+/g, '-')}` };
}

export class StaticTokenFile implements CredentialCheck {
  private entries: StaticTokenEntry[] = [];
  private seen = '';

  constructor(
    readonly file: string,
    private readonly onReloadError: (err: Error) => void = () => {},
  ) {
    this.reload();
  }

  accepts(bearer: string): boolean {
    return bearer.split('.').length !== 3;
  }

  async verify(bearer: string): Promise<CodecPrincipal> {
    try {
      this.reload();
    } catch (err) {
      this.onReloadError(err as Error);
    }
    const hash = createHash('sha256').update(bearer, 'utf8').digest();
    // Compare against every entry in constant time, so timing tells nothing about which prefix matched.
    let found: StaticTokenEntry | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.hash, hash)) found ??= entry;
    if (!found) throw new CodecAuthError('unknown-token', 'bearer token is not in the token file');
    return Promise.resolve({ name: found.label, kind: 'token', namespaces: found.namespaces });
  }

  async missing(): Promise<string | undefined> {
    try {
      this.reload();
    } catch (err) {
      return `token file ${this.file} is unreadable (${(err as Error).message}); the last good tokens still work`;
    }
    if (this.seen === 'missing') return `token file ${this.file} does not exist`;
    return Promise.resolve(this.entries.length === 0 ? `token file ${this.file} lists no token` : undefined);
  }

  /** Re-reads the file when it changed; a broken edit keeps the last good list rather than locking everyone out. */
  private reload(): void {
    // A file not created yet admits no one (compose starts the codec server before the operator adds a token).
    const stat = statSync(this.file, { throwIfNoEntry: false });
    if (!stat) {
      if (this.seen !== 'missing') this.onReloadError(new Error(`${this.file} does not exist: no token is accepted`));
      this.entries = [];
      this.seen = 'missing';
      return;
    }
    const version = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (version === this.seen) return;
    const entries = parseTokenFile(readFileSync(this.file, 'utf8'), this.file);
    this.entries = entries;
    this.seen = version;
  }
}
