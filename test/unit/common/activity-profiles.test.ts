import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time';
import { activityProfiles } from '../../../workflows/common/activity-profiles';

describe('activity profiles', () => {
  for (const [name, profile] of Object.entries(activityProfiles)) {
    it(`${name}: states its whole retry policy, and heartbeats if an attempt may outlast a minute`, () => {
      const retry = profile.retry as Record<string, unknown>;
      for (const field of ['initialInterval', 'backoffCoefficient', 'maximumInterval', 'maximumAttempts']) {
        assert.ok(retry[field] !== undefined, `${name}.retry.${field} must be set (overrides deep-merge)`);
      }
      if (msToNumber(profile.startToCloseTimeout) > 60_000) {
        assert.ok('heartbeatTimeout' in profile, `${name} needs a heartbeatTimeout so a crash is noticed in seconds`);
        assert.ok(msToNumber((profile as { heartbeatTimeout: string }).heartbeatTimeout) <= 60_000);
      }
    });
  }
});
