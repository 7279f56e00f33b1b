/**
 * Spaces request starts so that no sliding one-second window sees more than Posten's limit (10 calls per second per
 * organisation; above it the organisation is blocked for 30 s). One pacer per organisation and process: several
 * worker processes must share the budget through configuration (`POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND`).
 */
export class RequestPacer {
  private nextSlot = 0;
  private readonly intervalMs: number;
  /** Set when Posten reported a block: nothing starts before it. */
  private blockedUntil = 0;

  constructor(requestsPerSecond: number) {
    this.intervalMs = requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
  }

  async acquire(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot, this.blockedUntil);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  blockUntil(epochMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, epochMs);
  }
}

const pacers = new Map<string, RequestPacer>();

/** The process-wide pacer of one organisation (all clients in a worker share it). */
export function pacerFor(organizationNumber: string, requestsPerSecond: number): RequestPacer {
  const key = `${organizationNumber}@${requestsPerSecond}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = new RequestPacer(requestsPerSecond);
    pacers.set(key, pacer);
  }
  return pacer;
}
