import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/**
 * The prebuilt workflow bundle's inline source map (dist/workflow-bundle.js). The SDK maps workflow stack traces
 * (the UI's stack trace, failures' stacks) through it, and its bundle loader refuses a bundle without one, so it
 * stays inline.
 */
type RawSourceMap = WorkflowBundleWithSourceMapAndFilename['sourceMap'];

const MARKER = '//# sourceMappingURL=data:';
const BASE64 = 'base64,';

function splitInlineSourceMap(code: string): { body: string; sourceMap: RawSourceMap } {
  const at = code.lastIndexOf(MARKER);
  const data = at < 0 ? -1 : code.indexOf(BASE64, at);
  if (data < 0) throw new Error('The workflow bundle has no inline source map: rebuild it with "npm run build"');
  const json = Buffer.from(code.slice(data + BASE64.length).trimEnd(), 'base64').toString();
  return { body: code.slice(0, at), sourceMap: JSON.parse(json) as RawSourceMap };
}

/**
 * The bundle with its source map's `sourcesContent` (a copy of every bundled source file: 1.5 of the map's 2.1 MB)
 * left out. Stack traces need only the mappings, sources and names, which stay; the sources' text is read only for
 * the enhanced stack trace's source view when a worker sets `showStackTraceSources` (Ferje does not). Each copy of
 * the map costs memory in every worker: parsed on the main thread, copied to the workflow thread, parsed again there.
 */
export function withoutSourcesContent(code: string): string {
  const { body, sourceMap } = splitInlineSourceMap(code);
  delete sourceMap.sourcesContent;
  return `${body}${MARKER}application/json;${BASE64}${Buffer.from(JSON.stringify(sourceMap)).toString('base64')}\n`;
}

/**
 * Reads a prebuilt bundle as the SDK's own loader does (the code with its inline source map, the parsed map, the
 * file name stack traces refer to), without its preload: the SDK also compiles and runs the whole bundle once in a
 * throwaway context on the main thread, so that a debugger can set breakpoints early, which holds the bundle's
 * modules in the main isolate's heap while the workflow runtime loads its own copy.
 */
export async function readPrebuiltBundle(codePath: string): Promise<WorkflowBundleWithSourceMapAndFilename> {
  const code = await readFile(codePath, 'utf8');
  const { sourceMap } = splitInlineSourceMap(code);
  // An absolute file name, as the SDK's loader gives it: stack traces and debuggers treat relative ones as Node's own.
  return { code, sourceMap, filename: path.resolve(codePath) };
}
