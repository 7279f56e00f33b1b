import { readFileSync } from 'node:fs';
import { errorCodes } from '../../integrations/signstash/wire';
import { productError, type OperationPlan } from './operations';
import { AuthChallenge } from './instance';
import type { TokenSigner } from './tokens';

export interface SimulatorTimingOptions {
  /** How long an operation stays PENDING_EXECUTION: base + per document (×10 for the `slow` scenario). */
  baseDelayMs: number;
  perDocumentDelayMs: number;
  retryAfterSeconds: number;
  retentionMs: number;
  maxPayloadBytes: number;
  maxDocuments: number;
  tokenTtlSeconds: number;
  /** `409`: stale tokens get the proxy's 409 0.0.10 instead of 401 invalid_token (a product quirk). */
  tokenErrorMode: '401' | '409';
  /** Whether instances publish their OpenAPI document at `<context path>/v3/api-docs` (springdoc's default). */
  publishOpenApi: boolean;
}

/**
 * What the simulated instances have in common, as the real ones do: the token key (tokens validate anywhere) and the
 * client-services-config.json file. The rest is the test's control plane (plans, bookkeeping), not product state.
 */
export class SimulatorShared {
  private saasIds = 1000;
  private readonly plans = new Map<string, OperationPlan>();
  /** References the SaaS has seen from sync signing, per client service (shared by every proxy, like the SaaS). */
  private readonly saasReferences = new Set<string>();
  ownedElsewhere: (externalReference: string, askingIndex: number) => boolean = () => false;
  now: () => number = Date.now;

  constructor(
    readonly options: SimulatorTimingOptions,
    readonly signer: TokenSigner,
    readonly clientServicesFile: string,
  ) {}

  clientServices(): Record<string, { secret: string }> {
    return JSON.parse(readFileSync(this.clientServicesFile, 'utf8')) as Record<string, { secret: string }>;
  }

  nextSaasId(): number {
    return ++this.saasIds;
  }

  /** False when the SaaS already knows this reference for the client service (the caller answers 409 0.0.7). */
  rememberSaasReference(clientServiceId: string, externalReference: string): boolean {
    const key = `${clientServiceId}\u0000${externalReference}`;
    if (this.saasReferences.has(key)) return false;
    this.saasReferences.add(key);
    return true;
  }

  plan(externalReference: string, plan: OperationPlan): void {
    this.plans.set(externalReference, plan);
  }

  planFor(externalReference: string): OperationPlan | undefined {
    return this.plans.get(externalReference);
  }

  /** Checks Basic id:secret (the mock convenience) against the config file. */
  checkBasic(header: string): string | undefined {
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    const id = decoded.slice(0, at);
    const secret = decoded.slice(at + 1);
    return at > 0 && this.clientServices()[id]?.secret === secret ? id : undefined;
  }

  /** The client service behind a request, or the product's answer for a missing/stale/unknown credential. */
  authenticate(header: string | undefined, force409: boolean): string {
    if (header?.startsWith('Basic ')) {
      const id = this.checkBasic(header);
      if (id) return id;
      throw new AuthChallenge({ error: 'unauthorized', error_description: 'Bad credentials' });
    }
    const claims = header?.startsWith('Bearer ') ? this.signer.verify(header.slice('Bearer '.length)) : undefined;
    if (!claims) {
      if (force409 || this.options.tokenErrorMode === '409') {
        throw productError(409, errorCodes.tokenInvalid, 'access token expired or invalid; check service.domain');
      }
      throw new AuthChallenge({ error: 'invalid_token', error_description: 'Access token expired or invalid' });
    }
    if (!this.clientServices()[claims.sub]) {
      throw productError(401, errorCodes.licenceInvalid, 'client service is not configured on this proxy');
    }
    return claims.sub;
  }
}
