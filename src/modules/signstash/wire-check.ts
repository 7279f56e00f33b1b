import { ConfigError, envOptional, envUrl, type Env } from '../../config/env';
import type { Logger } from '../../logging/logger';
import { checkProfileAgainstOpenApi, type OpenApiCheckReport } from '../../integrations/signstash/openapi-check';
import { findOpenApiDocument, type OpenApiLookup } from '../../integrations/signstash/openapi-source';
import { loadWireProfile, type WireProfile } from '../../integrations/signstash/wire-profile';
import { loadSignstashConfig } from './config';

export interface WireCheckSettings {
  baseUrl: string;
  openApiUrl: string | undefined;
  wireProfile: WireProfile;
  requestTimeoutMs: number;
}

export type WireCheckOutcome =
  | { kind: 'checked'; report: OpenApiCheckReport }
  | { kind: 'no-document'; lookup: Extract<OpenApiLookup, { found: false }> };

/** The profile in use, checked against what the proxy publishes (if it publishes anything). */
export async function checkWireContract(settings: WireCheckSettings): Promise<WireCheckOutcome> {
  const lookup = await findOpenApiDocument({
    baseUrl: settings.baseUrl,
    basePath: settings.wireProfile.basePath,
    openApiUrl: settings.openApiUrl,
    timeoutMs: settings.requestTimeoutMs,
  });
  if (!lookup.found) return { kind: 'no-document', lookup };
  return { kind: 'checked', report: checkProfileAgainstOpenApi(settings.wireProfile, lookup.doc, lookup.url) };
}

/** The proxy's OpenAPI document contradicts the wire profile: the Sign'Stash worker must not run. */
export class SignstashWireMismatchError extends ConfigError {}

/**
 * Run before the Sign'Stash worker starts. An invalid profile or configuration, a configured OpenAPI URL that serves no
 * document, or a document that contradicts the profile stops it with a message naming every problem; no document at
 * the Spring defaults is a warning (many proxies do not publish one), and the worker runs on the profile as it is.
 * Without SIGNSTASH_BASE_URL the deployment does not use Sign'Stash: nothing to check.
 */
export async function verifySignstashAtWorkerStart(env: Env, logger: Logger): Promise<void> {
  if (envOptional(env, 'SIGNSTASH_BASE_URL') === undefined) {
    logger.info("Sign'Stash is not configured (no SIGNSTASH_BASE_URL): wire profile not checked");
    return;
  }
  const config = loadSignstashConfig(env);
  // A start-up check: a proxy that does not answer within seconds is not going to publish a document either.
  const outcome = await checkWireContract({ ...config, requestTimeoutMs: Math.min(config.requestTimeoutMs, 10_000) });
  if (outcome.kind === 'no-document') {
    const tried = outcome.lookup.tried.map((t) => `${t.url} (${t.why})`).join('; ');
    if (config.openApiUrl !== undefined) {
      throw new SignstashWireMismatchError(
        `SIGNSTASH_OPENAPI_URL serves no OpenAPI document: ${tried}. The Sign'Stash worker does not start.`,
      );
    }
    logger.warn(
      `Sign'Stash proxy publishes no OpenAPI document; running on wire profile ${config.wireProfile.name} unchecked`,
      { tried },
    );
    return;
  }
  const { report } = outcome;
  if (report.mismatches.length > 0) {
    throw new SignstashWireMismatchError(
      `Sign'Stash wire profile ${config.wireProfile.name} does not match the proxy's OpenAPI document ${report.source}: ` +
        `${report.mismatches.join('; ')}. The Sign'Stash worker does not start: correct the profile ` +
        '(SIGNSTASH_WIRE_PROFILE) or the proxy address, and check with `ferje signstash-check`.',
    );
  }
  logger.info(`Sign'Stash wire profile ${config.wireProfile.name} matches the proxy's OpenAPI document`, {
    source: report.source,
    confirmed: report.confirmed.length,
    notes: report.notes,
  });
}

/** What `ferje signstash-check` needs: no credentials, only where the proxy is and which profile to check. */
export function loadWireCheckSettings(env: Env): WireCheckSettings {
  return {
    baseUrl: envUrl(env, 'SIGNSTASH_BASE_URL'),
    openApiUrl: envOptional(env, 'SIGNSTASH_OPENAPI_URL'),
    wireProfile: loadWireProfile(envOptional(env, 'SIGNSTASH_WIRE_PROFILE')),
    requestTimeoutMs: 10_000,
  };
}
