import { request } from 'undici';
import type { ResourceType } from '../../contract/ss12000';
import type { FakeIssuer, TokenVariant } from './issuer';
import type { Tenant } from './tenant';

export interface Delivery {
  subscriptionId: string;
  body: Record<string, unknown>;
  /** HTTP status of each attempt (0 = no answer). */
  attempts: number[];
  delivered: boolean;
}

export interface NotifierOptions {
  issuer: FakeIssuer;
  /** Location the webhook tokens grant `ss12000-client` access to. */
  clientLocation: string;
  /** 4 attempts in all, as the reference does; the pause between them is shorter here (default 500 ms). */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/**
 * The huvudman's notifier: one notice per change (or one batched notice), POSTed to each matching subscription
 * target with a bearer JWT; anything but exactly 200 is a failed attempt.
 */
export class Notifier {
  readonly deliveries: (Delivery & { tenant: string })[] = [];

  constructor(private readonly options: NotifierOptions) {}

  async notify(
    tenant: Tenant,
    notice: { modifiedTypes: ResourceType[]; deleted: boolean },
    variant: TokenVariant = 'valid',
  ): Promise<Delivery[]> {
    tenant.dropExpired();
    const results: Delivery[] = [];
    for (const sub of tenant.subscriptions.values()) {
      const wanted = notice.modifiedTypes.filter((t) => sub.resourceTypes.some((r) => r.resource === t));
      // Deletions go to every subscription, whatever its resource types (as the reference does).
      if (wanted.length === 0 && !notice.deleted) continue;
      const spelling = tenant.options.webhookSpelling ?? 'modifiedEntities';
      const body: Record<string, unknown> = {};
      if (wanted.length > 0) {
        if (spelling !== 'modifiedEntites') body.modifiedEntities = wanted;
        if (spelling !== 'modifiedEntities') body.modifiedEntites = wanted;
      }
      if (notice.deleted) body.deletedEntities = true;
      results.push(await this.deliver(tenant, sub.id, sub.target, body, variant));
    }
    return results;
  }

  private async deliver(
    tenant: Tenant,
    subscriptionId: string,
    target: string,
    body: Record<string, unknown>,
    variant: TokenVariant,
  ): Promise<Delivery> {
    const delivery: Delivery = { subscriptionId, body, attempts: [], delivered: false };
    const attempts = variant === 'valid' ? (this.options.attempts ?? 4) : 1;
    for (let i = 0; i < attempts && !delivery.delivered; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
      const token = this.options.issuer.webhookToken(
        tenant.organisationId,
        this.options.clientLocation,
        variant,
        tenant.options.webhookTokenAccess ?? 'omitted',
      );
      try {
        const res = await request(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
          headersTimeout: this.options.timeoutMs ?? 5000,
          bodyTimeout: this.options.timeoutMs ?? 5000,
        });
        await res.body.dump();
        delivery.attempts.push(res.statusCode);
        delivery.delivered = res.statusCode === 200;
      } catch {
        delivery.attempts.push(0);
      }
    }
    this.deliveries.push({ ...delivery, tenant: tenant.name });
    return delivery;
  }
}
