// dist/workerLoader.js runs the analysis worker's bundle through V8's code cache: the cache is
// written after the warm-up, and a broken or stale cache is rejected and rewritten, never fatal.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WORKER_ROLE } from '../../server/analysisRunner';

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');

function cacheFile(): string {
  const source = fs.readFileSync(path.join(DIST, 'analysisWorker.js'), 'utf8');
  const hash = crypto.createHash('sha1').update(source).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `gradlens-worker-${process.version}-${hash}.v8cache`);
}

/** Starts a worker through the loader, analyses a file with it, and stops it. */
async function analyseOnce(): Promise<unknown> {
  const worker = new Worker(path.join(DIST, 'workerLoader.js'), { workerData: { role: WORKER_ROLE } });
  try {
    return await new Promise((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (m: { outcome: unknown }) => resolve(m.outcome));
      worker.postMessage({ type: 'analyze', id: 1, job: { uri: 'file:///t.ts', text: '/** @differentiable\n * @at x = 2 */\nfunction f(x: number): number { return x * x; }', options: {} } });
    });
  } finally {
    await worker.terminate();
  }
}

describe('server: the analysis worker loader and its code cache', function () {
  this.timeout(60_000);

  it('writes the cache after the warm-up, and works from it', async () => {
    const file = cacheFile();
    fs.rmSync(file, { force: true });
    const first = await analyseOnce() as { ok: boolean; analysis: { functions: { gradient: unknown }[] } };
    assert.ok(first.ok);
    assert.deepEqual(first.analysis.functions[0].gradient, { x: 4 });
    assert.ok(fs.existsSync(file) && fs.statSync(file).size > 100_000, 'no code cache was written');
    const second = await analyseOnce() as { ok: boolean };
    assert.ok(second.ok);
  });

  it('a corrupt cache is rejected by V8 and replaced', async () => {
    const file = cacheFile();
    fs.writeFileSync(file, Buffer.from('not a code cache'));
    const r = await analyseOnce() as { ok: boolean };
    assert.ok(r.ok);
    assert.ok(fs.statSync(file).size > 100_000, 'the corrupt cache was not rewritten');
  });
});
