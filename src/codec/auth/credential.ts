import type { IncomingHttpHeaders } from 'node:http';

/** Who a request to the codec server proved to be, and which namespaces that credential may decode. */
export interface CodecPrincipal {
  /** A label for logs: the token's label or the JWT's `sub`, never the credential itself. */
  name: string;
  kind: 'token' | 'jwt' | 'open';
  /** Namespaces this credential itself is limited to; undefined means the server's allow-list alone decides. */
  namespaces?: string[];
}

/** Why a credential was refused; the reason names the check, never the token or its claims' values. */
export class CodecAuthError extends Error {
  override readonly name = 'CodecAuthError';
  constructor(
    readonly reason:
      | 'missing'
      | 'unknown-token'
      | 'malformed'
      | 'algorithm'
      | 'unknown-key'
      | 'signature'
      | 'expired'
      | 'not-yet-valid'
      | 'issuer'
      | 'audience',
    message: string,
  ) {
    super(message);
  }
}

/** One way of checking a bearer credential: returns a principal, undefined when it is not its kind, or throws. */
export interface CredentialCheck {
  /** Whether this check recognises the credential's shape (a JWT has three dot-separated parts). */
  accepts(bearer: string): boolean;
  verify(bearer: string): Promise<CodecPrincipal>;
  /** For /health/ready: why this source cannot admit anyone right now, or undefined. */
  missing(): Promise<string | undefined>;
}

/** The bearer credential of a request, or undefined when there is none (the UI and CLI send `Authorization`). */
export function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers.authorization;
  if (!raw) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(raw);
  return match?.[1];
}
