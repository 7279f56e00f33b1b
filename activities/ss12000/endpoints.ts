import { ApplicationFailure } from '@temporalio/activity';
import { commonFailureTypes, type InputProblem } from '../../src/contract/failure-types';
import type { Ss12000Endpoints } from '../../src/modules/ss12000/config';

/**
 * Partner endpoints come from Ferje's configuration only. A flow input may still name `apiBaseUrl` (older callers and
 * recorded histories do), but it is honoured only when it is the configured one; credentials, the webhook target
 * with its secret and callback bodies never go anywhere else.
 */
export function resolveApiBaseUrl(
  endpoints: Ss12000Endpoints,
  huvudman: string | undefined,
  requested: string | undefined,
): { apiBaseUrl?: string; problem?: InputProblem } {
  const configured = huvudman === undefined ? undefined : endpoints.huvudmanApis[huvudman];
  if (configured !== undefined) {
    if (requested !== undefined && trimmed(requested) !== configured)
      return { problem: { path: 'apiBaseUrl', problem: 'differs from the API configured for this huvudman' } };
    return { apiBaseUrl: configured };
  }
  if (requested === undefined)
    return {
      problem: { path: 'apiBaseUrl', problem: 'no API is configured for this huvudman (SS12000_HUVUDMAN_APIS)' },
    };
  if (!underOneOf(requested, endpoints.allowedApiUrls))
    return { problem: { path: 'apiBaseUrl', problem: 'is not under an allowed API URL (SS12000_API_ALLOWED_URLS)' } };
  return { apiBaseUrl: trimmed(requested) };
}

export function checkCallbackUrl(endpoints: Ss12000Endpoints, url: string | undefined): InputProblem | undefined {
  if (url === undefined || underOneOf(url, endpoints.allowedCallbackUrls)) return undefined;
  return {
    path: 'registrationCallbackUrl',
    problem: 'is not under an allowed callback URL (SS12000_CALLBACK_ALLOWED_URLS)',
  };
}

/** For activities: the configured base URL, or a non-retryable `FerjeInvalidInput` before any request leaves. */
export function configuredApiBaseUrl(
  endpoints: Ss12000Endpoints,
  huvudman: string | undefined,
  requested: string | undefined,
): string {
  const { apiBaseUrl, problem } = resolveApiBaseUrl(endpoints, huvudman, requested);
  if (apiBaseUrl !== undefined) return apiBaseUrl;
  throw ApplicationFailure.create({
    type: commonFailureTypes.invalidInput,
    nonRetryable: true,
    message: `Refused SS12000 endpoint: ${problem?.path} ${problem?.problem}`,
  });
}

/** Same origin and a path at or below the allowed one (on a segment boundary); no user info. */
function underOneOf(candidate: string, allowed: string[]): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  return allowed.some((entry) => {
    const base = new URL(entry);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.origin === base.origin && (url.pathname === base.pathname || url.pathname.startsWith(prefix));
  });
}

function trimmed(url: string): string {
  return url.replace(/\/+$/, '');
}
