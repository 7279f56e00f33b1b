import type { FaultKind, FaultRoute, FaultRule } from './options';

/** Scripted faults: each rule hits the next `times` requests of its route, then disappears. */
export class FaultPlan {
  private rules: (FaultRule & { left: number })[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The faults that apply to this request (at most one of each kind), consuming them. */
  take(route: FaultRoute): Map<FaultKind, FaultRule> {
    const out = new Map<FaultKind, FaultRule>();
    for (const rule of this.rules) {
      if (rule.left <= 0 || (rule.route !== route && rule.route !== 'any') || out.has(rule.kind)) continue;
      rule.left--;
      out.set(rule.kind, rule);
    }
    this.rules = this.rules.filter((r) => r.left > 0);
    return out;
  }

  pending(): number {
    return this.rules.length;
  }
}
