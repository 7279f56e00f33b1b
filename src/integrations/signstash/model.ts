import type {
  SignstashAdvancedSignature,
  SignstashContentType,
  SignstashOperationStatus,
  SignstashSignatureType,
  SignstashSignStatus,
  SignstashVisibleSignature,
} from '../../contract/signstash';
import type { InstanceAllowList } from './allow-list';
import type { WireErrorResponse } from './wire';
import type { WireProfile } from './wire-profile';

/** Where a document's bytes come from; opened once per transmission, so a retried request streams it again. */
export interface DocumentContentSource {
  open(): Promise<AsyncIterable<Uint8Array>> | AsyncIterable<Uint8Array>;
}

export const DocumentContent = {
  fromBytes(bytes: Uint8Array): DocumentContentSource {
    return {
      open: () =>
        (async function* () {
          yield bytes;
        })(),
    };
  },
  fromStream(open: () => Promise<AsyncIterable<Uint8Array>>): DocumentContentSource {
    return { open };
  },
};

export interface SignatureInfo {
  signatureType: SignstashSignatureType;
  applyTimestamp?: boolean;
  reason?: string;
  location?: string;
  visibleSignature?: SignstashVisibleSignature;
  advancedSignature?: SignstashAdvancedSignature;
}

export interface SignDocument {
  externalReference: string;
  name: string;
  contentType: SignstashContentType;
  content: DocumentContentSource;
  signature: SignatureInfo;
}

export interface SignRequest {
  externalReference: string;
  description: string;
  documents: readonly SignDocument[];
}

/** Builds a SignRequest step by step, refusing the combinations Sign'Stash would reject anyway. */
export class SignRequestBuilder {
  private desc: string | undefined;
  private readonly docs: SignDocument[] = [];

  private constructor(private readonly externalReference: string) {}

  static forReference(externalReference: string): SignRequestBuilder {
    if (!/^[^\s/]{1,128}$/.test(externalReference)) {
      throw new TypeError('externalReference must be 1-128 characters without "/" or whitespace');
    }
    return new SignRequestBuilder(externalReference);
  }

  description(text: string): this {
    this.desc = text;
    return this;
  }

  addDocument(document: SignDocument): this {
    if (this.docs.some((d) => d.externalReference === document.externalReference)) {
      throw new TypeError(`document reference ${document.externalReference} is used twice`);
    }
    this.docs.push(document);
    return this;
  }

  build(): SignRequest {
    if (!this.desc) throw new TypeError('description is required');
    if (this.docs.length === 0) throw new TypeError('at least one document is required');
    return { externalReference: this.externalReference, description: this.desc, documents: [...this.docs] };
  }
}

/** A proxy instance, as advertised by itself (`--server.host.port`). */
export interface ProxyInstance {
  host: string;
  port: number;
}

export interface AsyncOperation {
  id: string;
  externalReference: string;
  status: SignstashOperationStatus;
  instance: ProxyInstance;
  creationDate: string;
  lastUpdateDate: string;
  documentCount: number;
  signedCount?: number;
  error?: WireErrorResponse;
}

export interface AsyncStart {
  operation: AsyncOperation;
  retryAfterMs?: number;
}

export interface OperationStatusReport {
  /** Newest first, as the proxy lists them. */
  operations: AsyncOperation[];
  newest: AsyncOperation;
  retryAfterMs?: number;
}

export interface SignResultDocument<T> {
  index: number;
  externalReference: string;
  contentType: string;
  signStatus: SignstashSignStatus;
  signError?: string;
  /** What the content store returned for the signed bytes (present when they were in the response). */
  stored?: T;
}

export interface SignResult<T> {
  /** The SaaS operation number. */
  operationNumber: number;
  asyncOperationId?: string;
  status: SignstashOperationStatus;
  documents: SignResultDocument<T>[];
  error?: WireErrorResponse;
}

/**
 * Receives one signed document's bytes as a stream (e.g. puts them into the blob store). Only the position in
 * `documentList` is known at that moment: JSON does not promise that the content comes after the document's name.
 */
export type SignedContentStore<T> = (index: number, content: AsyncIterable<Uint8Array>) => Promise<T>;

export interface ClientServiceCredentials {
  clientServiceId: string;
  secret: string;
}

/** What the client needs to know about the deployment (read from the environment by src/modules/signstash/config). */
export interface SignstashClientSettings {
  /** The load balancer in front of the proxies: used for starts (and sync signing) only. */
  baseUrl: string;
  /** The SaaS domain that issues OAuth2 tokens. */
  tokenUrl: string;
  allowList: InstanceAllowList;
  instanceScheme: 'http' | 'https';
  tokenRefreshMarginMs: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Upper bound for start and result transfers (large batches). */
  transferTimeoutMs: number;
  connectionsPerOrigin: number;
  /** The async endpoints, fields and values (default: ./wire-profiles/ferje-default.json). */
  wireProfile: WireProfile;
}
