import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ConfigError, envBool, envInt, envList, envUrl } from '../../src/config/env';
import { loadFerjeConfig } from '../../src/config/ferje-config';
import { loadTemporalConnection } from '../../src/config/temporal-connection';
import { businessKey, commonFailureTypes, isBlobRef } from '../../src/contract';
import { compileRoute } from '../../src/ingress/route';
import { createLogger } from '../../src/logging/logger';

describe('business keys', () => {
  it('joins opaque segments under a prefix', () => {
    assert.equal(businessKey('posten-job', '987654321', 'ref-2026.11:a'), 'posten-job/987654321/ref-2026.11:a');
  });

  it('rejects segments that are empty, too long, or free text (spaces, slashes, names, non-ASCII)', () => {
    for (const bad of ['', 'a b', 'a/b', 'x'.repeat(129), 'Ola Nordmann', 'æøå']) {
      assert.throws(
        () => businessKey('p', bad),
        (err: unknown) =>
          err instanceof ApplicationFailure && err.type === commonFailureTypes.invalidInput && err.nonRetryable,
        JSON.stringify(bad),
      );
    }
  });
});

describe('configuration from the environment', () => {
  it('reads typed values and names the variable when one is wrong', () => {
    assert.equal(envInt({ N: '42' }, 'N', 1), 42);
    assert.equal(envInt({}, 'N', 7), 7);
    assert.throws(
      () => envInt({ N: 'x' }, 'N', 1),
      (e: Error) => e instanceof ConfigError && /N must be an integer/.test(e.message),
    );
    assert.equal(envBool({ B: 'yes' }, 'B', false), true);
    assert.throws(() => envBool({ B: 'maybe' }, 'B', false), /B must be true or false/);
    assert.equal(envUrl({ U: 'http://a.example:8080/base/' }, 'U'), 'http://a.example:8080/base');
    assert.throws(() => envUrl({ U: 'not a url' }, 'U'), /U must be an absolute URL/);
    assert.deepEqual(envList({ L: ' a, b ,,c' }, 'L', []), ['a', 'b', 'c']);
  });

  it('derives defaults for the dev machine and honours overrides', () => {
    const config = loadFerjeConfig({ FERJE_DATA_DIR: '/tmp/x', FERJE_INGRESS_PORT: '9000', NODE_ENV: 'production' });
    assert.equal(config.blobDir, '/tmp/x/blobs');
    assert.equal(config.ingress.publicBaseUrl, 'http://127.0.0.1:9000');
    assert.equal(config.production, true);
    assert.equal(config.worker.shutdownGraceTime, '30s');
  });

  it('sizes the worker: workflow threads shared by all queues and the sticky cache, refusing nonsense', () => {
    const defaults = loadFerjeConfig({});
    assert.equal(defaults.worker.workflowThreads, 0, 'workflow code on the main thread (docs/cost-and-scale.md)');
    assert.equal(defaults.worker.maxCachedWorkflows, 50);
    const set = loadFerjeConfig({ FERJE_WORKFLOW_THREADS: '2', FERJE_MAX_CACHED_WORKFLOWS: '500' });
    assert.equal(set.worker.workflowThreads, 2);
    assert.equal(set.worker.maxCachedWorkflows, 500);
    assert.throws(() => loadFerjeConfig({ FERJE_MAX_CACHED_WORKFLOWS: '-1' }), /FERJE_MAX_CACHED_WORKFLOWS must be/);
    assert.throws(() => loadFerjeConfig({ FERJE_WORKFLOW_THREADS: 'many' }), /FERJE_WORKFLOW_THREADS must be/);
    // Workflow stack traces cost half of the workflow thread's CPU (docs/cost-and-scale.md): off unless asked for.
    assert.equal(defaults.worker.workflowStackTraces, false);
    assert.equal(loadFerjeConfig({ FERJE_WORKFLOW_STACK_TRACES: 'true' }).worker.workflowStackTraces, true);
    assert.throws(
      () => loadFerjeConfig({ FERJE_WORKFLOW_STACK_TRACES: 'maybe' }),
      /FERJE_WORKFLOW_STACK_TRACES must be/,
    );
  });

  it('takes Temporal connection settings from envconfig, with the namespace passed on', () => {
    const settings = loadTemporalConnection({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'ferje-prod',
      TEMPORAL_API_KEY: 'k',
    });
    assert.equal(settings.address, 'temporal.example:7233');
    assert.equal(settings.namespace, 'ferje-prod');
    assert.equal(settings.connectionOptions.apiKey, 'k');
    assert.ok(settings.connectionOptions.tls, 'an API key implies TLS');
    assert.equal(loadTemporalConnection({}).namespace, 'default');
  });
});

describe('ingress route patterns', () => {
  it('extracts named segments and matches nothing else', () => {
    const route = compileRoute({
      method: 'POST',
      path: '/webhooks/x/:token/:kind',
      handle: async () => ({ kind: 'respond', status: 200 }),
    });
    assert.deepEqual(route.match('/webhooks/x/abc%20d/status'), { token: 'abc d', kind: 'status' });
    assert.deepEqual(route.match('/webhooks/x/abc/status/'), { token: 'abc', kind: 'status' });
    assert.equal(route.match('/webhooks/x/abc'), undefined);
    assert.equal(route.match('/webhooks/x/a/b/c'), undefined);
  });
});

describe('logger', () => {
  it('writes JSON lines with component and level, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger('ingress', 'INFO', (l) => lines.push(l));
    log.debug('hidden');
    log.info('accepted', { status: 202 });
    log.child('route').warn('slow', { error: new Error('boom') });
    assert.equal(lines.length, 2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first.component, 'ingress');
    assert.equal(first.status, 202);
    assert.equal(second.component, 'ingress.route');
    assert.deepEqual(second.error, { name: 'Error', message: 'boom' });
  });
});

describe('BlobRef guard', () => {
  it('accepts only well-formed references', () => {
    assert.equal(isBlobRef({ sha256: 'a'.repeat(64), size: 3 }), true);
    assert.equal(isBlobRef({ sha256: 'A'.repeat(64), size: 3 }), false);
    assert.equal(isBlobRef({ sha256: 'a'.repeat(64), size: -1 }), false);
    assert.equal(isBlobRef(null), false);
  });
});
