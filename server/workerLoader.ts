// Entry of dist/workerLoader.js, the script of the analysis worker thread. It runs the worker's
// bundle (dist/analysisWorker.js: the engine and the TypeScript compiler, ~4 MB) through V8's code
// cache, kept in the temp folder: compiling and initialising that bundle costs ~270 ms on a cold
// start and ~70 ms from the cache, and that time is the first analysis's. The cache is our own
// bundle's compiled code (never user text), keyed by the bundle's hash and Node's version, and
// V8 rejects it itself if it does not fit; any failure falls back to a plain compile.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const bundle = path.join(__dirname, 'analysisWorker.js');
const source = fs.readFileSync(bundle, 'utf8');
const hash = crypto.createHash('sha1').update(source).digest('hex').slice(0, 16);
const cacheFile = path.join(os.tmpdir(), `gradlens-worker-${process.version}-${hash}.v8cache`);

let cached: Buffer | undefined;
try { cached = fs.readFileSync(cacheFile); } catch { cached = undefined; }

// The CommonJS wrapper Node itself puts around a module.
const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
const script = new vm.Script(wrapped, { filename: bundle, cachedData: cached });

// The worker calls this once its warm-up analysis is done, so the functions that analysis
// compiled are in the cache too.
(globalThis as { gradlensWarmedUp?: () => void }).gradlensWarmedUp = () => {
  if (cached && !script.cachedDataRejected) return;
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A read-only temp folder only costs the next start its speed-up.
  }
};

const run = script.runInThisContext() as (e: unknown, r: NodeRequire, m: { exports: unknown }, f: string, d: string) => void;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, bundle, path.dirname(bundle));
