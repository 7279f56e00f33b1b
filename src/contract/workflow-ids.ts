import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes } from './failure-types';
import { containsNationalIdentityNumber } from './personal-data';

// Keys appear in URLs of the Temporal UI and in `temporal` CLI commands, so keep them to a safe, readable alphabet.
const SEGMENT = /^[A-Za-z0-9._:@+=-]{1,128}$/;

/**
 * Builds a workflow ID from a fixed prefix and business-key segments, e.g. `posten-job/987654321/ref-1`. Segments
 * must be opaque identifiers chosen by the caller (never personal data); anything else, including a segment that is or
 * embeds a checksum-valid Norwegian or Swedish national identity number, is rejected before a start.
 */
export function businessKey(prefix: string, ...segments: string[]): string {
  for (const [index, segment] of segments.entries()) {
    if (!SEGMENT.test(segment)) {
      throw ApplicationFailure.nonRetryable(
        `Business-key segment ${index + 1} of ${prefix} must be 1-128 characters of A-Z a-z 0-9 . _ : @ + = -`,
        commonFailureTypes.invalidInput,
      );
    }
    if (containsNationalIdentityNumber(segment)) {
      throw ApplicationFailure.nonRetryable(
        `Business-key segment ${index + 1} of ${prefix} looks like a national identity number (personal data, ` +
          'which would be stored in plain text); use an opaque reference',
        commonFailureTypes.invalidInput,
      );
    }
  }
  return [prefix, ...segments].join('/');
}
