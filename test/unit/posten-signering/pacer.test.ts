import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestPacer } from '../../../src/integrations/posten-signering/pacer';

/** Blocks the event loop, as a long workflow activation or a garbage collection does in a loaded worker. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/** The most requests any one-second window holds, as Posten's DoS filter counts them. */
function busiestSecond(times: number[]): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
}

describe('Posten request pacer', () => {
  it('spaces requests by when they were let go, so an event-loop stall never releases a burst', async () => {
    const pacer = new RequestPacer(10);
    const granted: number[] = [];
    const waits = Array.from({ length: 14 }, (_, i) =>
      pacer.acquire().then(() => {
        granted.push(Date.now());
        // The first request's caller stalls the loop for longer than four slots.
        if (i === 0) stall(450);
      }),
    );
    await Promise.all(waits);
    const gaps = granted.slice(1).map((t, i) => t - granted[i]);
    assert.ok(
      gaps.every((g) => g >= 95),
      `gaps ${gaps.join(', ')} ms: a request went out less than a slot after the one before`,
    );
    assert.ok(busiestSecond(granted) <= 10, `${busiestSecond(granted)} requests in one second`);
  });

  it('lets nothing go during a block Posten reported, and resumes after it', async () => {
    const pacer = new RequestPacer(50);
    await pacer.acquire();
    const blockedAt = Date.now();
    pacer.blockUntil(blockedAt + 300);
    const times: number[] = [];
    await Promise.all([1, 2, 3].map(() => pacer.acquire().then(() => times.push(Date.now()))));
    assert.ok(
      times.every((t) => t >= blockedAt + 300),
      `let go ${times.map((t) => t - blockedAt).join(', ')} ms after the block`,
    );
  });

  it('holds requests already waiting when a block is reported (they would only extend it)', async () => {
    const pacer = new RequestPacer(20);
    const times: number[] = [];
    let blockedAt = 0;
    await Promise.all(
      [0, 1, 2].map((i) =>
        pacer.acquire().then(() => {
          times.push(Date.now());
          if (i === 0) {
            blockedAt = Date.now();
            pacer.blockUntil(blockedAt + 300);
          }
        }),
      ),
    );
    assert.ok(
      times.slice(1).every((t) => t >= blockedAt + 300),
      `let go ${times.map((t) => t - blockedAt).join(', ')} ms after the block`,
    );
  });

  it('keeps the order requests asked in', async () => {
    const pacer = new RequestPacer(100);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => pacer.acquire().then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('does not pace without a limit', async () => {
    const pacer = new RequestPacer(0);
    const started = Date.now();
    await Promise.all(Array.from({ length: 50 }, () => pacer.acquire()));
    assert.ok(Date.now() - started < 50);
  });
});
