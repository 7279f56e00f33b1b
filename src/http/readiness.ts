/**
 * `/health/ready` of every Ferje process answers with what it is missing, not just "no": each check names a
 * dependency and returns why it is not usable (or undefined when it is). 200 when nothing is missing, else 503.
 */
export interface ReadinessCheck {
  name: string;
  /** Undefined when ready; otherwise a short reason an operator can act on (no secrets, no personal data). */
  check(): Promise<string | undefined>;
  /**
   * A degraded but working dependency (e.g. webhooks refused while polling covers): its reason is listed under
   * `warnings` and does not make the process not ready.
   */
  warnOnly?: boolean;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  missing: { name: string; reason: string }[];
  /** Present when a warn-only check has a reason. */
  warnings?: { name: string; reason: string }[];
}

export async function evaluateReadiness(checks: ReadinessCheck[], timeoutMs = 5000): Promise<Readiness> {
  const found = (
    await Promise.all(
      checks.map(async (c) => {
        const name = c.name;
        const reason = await Promise.race([
          c.check().catch((err: unknown) => `${(err as Error).name}: check failed`),
          new Promise<string>((resolve) =>
            setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs).unref(),
          ),
        ]);
        return reason === undefined ? [] : [{ name, reason, warnOnly: c.warnOnly === true }];
      }),
    )
  ).flat();
  const missing = found.filter((f) => !f.warnOnly).map(({ name, reason }) => ({ name, reason }));
  const warnings = found.filter((f) => f.warnOnly).map(({ name, reason }) => ({ name, reason }));
  return {
    status: missing.length === 0 ? 'ready' : 'not ready',
    missing,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
