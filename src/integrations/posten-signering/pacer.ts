/**
 * Spaces request starts so that no sliding one-second window sees more than Posten's limit (10 calls per second per
 * organisation; above it the organisation is blocked for 30 s). One pacer per organisation and process: several
 * worker processes must share the budget through configuration (`POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND`).
 */
export class RequestPacer {
  private readonly intervalMs: number;
  /**
   * When the last request was let go, by the clock at that moment. Spacing from this (not from the slot a request was
   * given when it asked) is what keeps a stalled event loop from releasing every overdue request at once: with slots
   * handed out in advance, a 450 ms stall let four requests go within a millisecond (test/unit/posten-signering/
   * pacer.test.ts), and those plus the next second's can make more than 10 in one second: Posten's 30 s block, which
   * `bench:posten-signering` runs showed as 38-101 429s (the workflow code shares the main thread with activities).
   */
  private lastLetGo = Number.NEGATIVE_INFINITY;
  /** Set when Posten reported a block: nothing starts before it. */
  private blockedUntil = 0;
  /** Requests waiting for their turn, first come first served. */
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(requestsPerSecond: number) {
    this.intervalMs = requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.letGo();
    });
  }

  blockUntil(epochMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, epochMs);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.letGo();
  }

  /** Lets the first waiting request go if its turn has come, and sets a timer for the next turn. */
  private letGo(): void {
    if (this.timer !== undefined) return;
    for (;;) {
      const now = Date.now();
      const turn = Math.max(this.lastLetGo + this.intervalMs, this.blockedUntil);
      if (this.waiting.length === 0) return;
      if (now < turn) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.letGo();
        }, turn - now);
        return;
      }
      this.lastLetGo = now;
      this.waiting.shift()!();
    }
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
