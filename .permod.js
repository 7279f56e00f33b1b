const vm = require('vm'); const fs = require('fs');
const code = fs.readFileSync('dist/workflow-bundle.js', 'utf8');
const ctx = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
const shared = new Map();
let current;
const cacheProxy = new Proxy({}, { get: (_, p) => shared.get(p) ?? current?.get(p), set: (_, p, v) => { (current ?? shared).set(p, v); return true; } });
Object.defineProperty(ctx, '__webpack_module_cache__', { value: cacheProxy });
// minimal globals the bundle may touch
require('@temporalio/worker/lib/workflow/vm-shared').injectGlobals?.(ctx);
ctx.performance = { now: () => 0, timeOrigin: 0 }; new vm.Script(code).runInContext(ctx);
const preload = process.argv[2] === 'preload';
const gc = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed / 1048576; };
const caches = [];
const before = gc();
const N = 50;
const sizes = []; for (let i = 0; i < N; i++) {
  current = new Map(); caches.push(current);
  try { vm.runInContext('__TEMPORAL__.importWorkflows()', ctx); } catch (e) { if (i === 0) console.log('err', e.message.slice(0, 200)); }
  try { vm.runInContext('__TEMPORAL__.importInterceptors()', ctx); } catch (e) { if (i === 0) console.log('err2', e.message.slice(0, 200)); }
}
const after = gc();
console.log('modules per workflow', caches[0].size, 'shared', shared.size, 'MB per workflow', ((after - before) / N).toFixed(3));
// per-module cost: instantiate only one module id repeatedly
