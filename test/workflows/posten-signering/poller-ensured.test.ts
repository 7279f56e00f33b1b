import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { createPostenRuntime } from '../../../activities/posten-signering/runtime';
import { ferjeDataConverter } from '../../../src/codec/data-converter';
import { statusPollerWorkflowId } from '../../../src/contract/posten-signering';
import { testKeyRing } from '../../harness/keys';
import { startTestbed, type Testbed } from './harness';

/**
 * Every create makes sure its queue's poller runs. A process that made sure of it a moment ago does not ask Temporal
 * again (that was a start attempt and a describe per job); a new process (a restarted worker) does, and starts a
 * poller that is gone.
 */
describe('posten signering: the poller a create makes sure of', () => {
  let bed: Testbed;
  let starts = 0;
  let client: Client;
  before(async () => {
    bed = await startTestbed();
    client = new Client({
      connection: bed.env.client.connection,
      namespace: bed.ctx.namespace,
      dataConverter: ferjeDataConverter(testKeyRing()),
      interceptors: {
        workflow: [
          {
            async startWithDetails(input, next) {
              starts++;
              return next(input);
            },
          },
        ],
      },
    });
  });
  after(() => bed.close());

  it('is started once per process while it runs, and again by a new process once it is gone', async () => {
    const poller = bed.env.client.workflow.getHandle(statusPollerWorkflowId(bed.sender));
    const rt = createPostenRuntime({ ...bed.ctx, client });
    await rt.ensurePoller(bed.sender);
    await rt.ensurePoller(bed.sender);
    await rt.ensurePoller(bed.sender);
    assert.equal(starts, 1, 'three creates in a row ask Temporal once');
    assert.equal((await poller.describe()).status.name, 'RUNNING');

    await poller.terminate('gone for the test');
    const restarted = createPostenRuntime({ ...bed.ctx, client });
    await restarted.ensurePoller(bed.sender);
    assert.equal(starts, 2, 'a new process asks again');
    const again = await bed.env.client.workflow.getHandle(statusPollerWorkflowId(bed.sender)).describe();
    assert.equal(again.status.name, 'RUNNING', 'the terminated poller runs again');
  });
});
