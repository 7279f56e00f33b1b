// First: the SDK's worker modules must find the bundler deferred (deferred-bundler.ts).
import './deferred-bundler';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { failureConverterPath } from '../codec/data-converter';
import { projectDir } from '../config/ferje-config';

/** The bundle entry: every workflow type Ferje registers (sources; absent from production images). */
export function workflowsPath(): string {
  return require.resolve(path.join(projectDir, 'workflows', 'index'));
}

/** Where `npm run build` writes the prebuilt bundle that production workers and replay tests load. */
export const defaultBundlePath = path.join(projectDir, 'dist', 'workflow-bundle.js');

/**
 * Workflow interceptors baked into every bundle: flow-outcome metrics and OpenTelemetry spans. They emit no
 * commands, so histories recorded without them still replay.
 */
export const workflowInterceptorModules = [
  require.resolve('../metrics/workflow-interceptors'),
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** Options that must be identical for bundling and for the worker (the worker cannot add them to a bundle). */
export function bundleOptions(): {
  workflowsPath: string;
  failureConverterPath: string;
  workflowInterceptorModules: string[];
} {
  return { workflowsPath: workflowsPath(), failureConverterPath, workflowInterceptorModules };
}

export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode(bundleOptions());
}

export type WorkflowSource = { workflowBundle: { codePath: string } | { code: string } } | { workflowsPath: string };

/**
 * Production (and replay) use the prebuilt bundle: no webpack at start-up, and exactly the code that passed the
 * replay tests runs. Development bundles from source on start. `FERJE_WORKFLOW_BUNDLE` points at another bundle.
 */
export function workflowSource(production: boolean, bundlePath = process.env.FERJE_WORKFLOW_BUNDLE): WorkflowSource {
  const codePath = bundlePath ?? defaultBundlePath;
  if (production || bundlePath) {
    if (!existsSync(codePath)) {
      throw new Error(`Workflow bundle ${codePath} is missing: run "npm run build" first`);
    }
    return { workflowBundle: { codePath } };
  }
  return { workflowsPath: workflowsPath() };
}
