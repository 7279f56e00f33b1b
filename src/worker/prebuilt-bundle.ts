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
 * The bundle as production workers load it, from what the bundler wrote:
 * - its source map without `sourcesContent` (a copy of every bundled source file: 1.5 of the map's 2.1 MB). Stack
 *   traces need only the mappings, sources and names, which stay; the sources' text is read only for the enhanced
 *   stack trace's source view when a worker sets `showStackTraceSources` (Ferje does not);
 * - characters beyond Latin-1 (a few dashes and arrows in comments and summary texts) written as `\u` escapes, which
 *   mean the same in strings, templates and comments: one such character makes V8 store the whole bundle (2.5 M
 *   characters) with two bytes per character. Columns after one on its own line shift by five.
 */
export function productionBundleCode(code: string): string {
  const { body, sourceMap } = splitInlineSourceMap(code);
  delete sourceMap.sourcesContent;
  const latin1 = body.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${latin1}${MARKER}application/json;${BASE64}${Buffer.from(JSON.stringify(sourceMap)).toString('base64')}\n`;
}

/**
 * Reads a prebuilt bundle for the workflow runtime: the code, its parsed source map (through which the SDK maps
 * workflow stack traces) and the file name stack traces refer to. Unlike the SDK's own loader it does not
 * - compile and run the whole bundle once in a throwaway context on the main thread (so that a debugger can set
 *   breakpoints early), which held the bundle's modules in the main isolate's heap next to the runtime's own copy;
 * - keep the inline map in the code: the runtime gets the map parsed, and V8 would keep the comment's data URL as
 *   the script's source-map URL, another 0.8 MB per workflow isolate.
 */
export async function readPrebuiltBundle(codePath: string): Promise<WorkflowBundleWithSourceMapAndFilename> {
  const { body: code, sourceMap } = splitInlineSourceMap(await readFile(codePath, 'utf8'));
  // An absolute file name, as the SDK's loader gives it: stack traces and debuggers treat relative ones as Node's own.
  return { code, sourceMap, filename: path.resolve(codePath) };
}
