import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { projectDir } from '../../src/config/ferje-config';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { promtoolTestRules } from '../harness/prometheus';

const dir = path.join(projectDir, 'ops', 'prometheus');
const rules = parse(readFileSync(path.join(dir, 'alerts.yml'), 'utf8')) as {
  groups: { rules: { alert: string; expr: string }[] }[];
};
const tests = parse(readFileSync(path.join(dir, 'alerts.test.yml'), 'utf8')) as {
  tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
};
const alerts = rules.groups.flatMap((g) => g.rules);

describe('alert rules (ops/prometheus/alerts.yml)', () => {
  it('pass their promtool unit tests', () => {
    const { status, output } = promtoolTestRules(['alerts.test.yml'], dir);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('each have a case where they fire and one where they stay silent', () => {
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} is tested firing`,
      );
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} is tested silent`,
      );
    }
  });

  it('use only metrics that Ferje emits (src/metrics/catalog.ts) or the SDK exports', () => {
    const known = new Set<string>(Object.values(ferjeMetrics).map((m) => m.name));
    for (const { alert, expr } of alerts) {
      for (const [name] of expr.matchAll(/\bferje_[a-z0-9_]+/g)) {
        const base = name.replace(/_(total|bucket|count|sum)$/, '');
        assert.ok(known.has(base), `${alert}: ${name} is not in the catalog`);
      }
    }
  });
});
