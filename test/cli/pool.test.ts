// The CLI's pool (cli/parallel.ts): the main thread analyses files while the workers load, each
// worker takes files as it finishes them; whichever thread analyses a file, the report is the one
// a single thread gives, file for file, also when the workers run the bundle through the code-cache
// loader (dist/workerLoader.js). And `gradlens check` leaves out what only the editor shows.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../cli/check';
import { defaultJobs, loaderEntry, runCheckParallel } from '../../cli/parallel';

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');

/** A file of `k` annotated functions, the `wrong`-th with a gradient missing a factor. */
function file(i: number, k: number, wrong: number): string {
  const parts: string[] = [];
  for (let j = 0; j < k; j++) {
    const a = (1.25 + ((i * 7 + j) % 5) / 4).toFixed(2);
    parts.push(`/**
 * @differentiable
 * @gradient f${j}Grad
 * @at x = ${(0.3 + j / 10).toFixed(1)}, y = -0.7
 */
export function f${j}(x: number, y: number): number {
  return Math.sin(${a} * x) * y + x * x * y;
}

export function f${j}Grad(x: number, y: number): number[] {
  return [${j === wrong ? '' : `${a} * `}Math.cos(${a} * x) * y + 2 * x * y, Math.sin(${a} * x) + x * x];
}
`);
  }
  return parts.join('\n');
}

describe('cli: the pool of threads', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-pool-'));
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(dir, `m${String(i).padStart(2, '0')}.ts`), file(i, 3, i % 4 === 0 ? i % 3 : -1));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const options = { stepBudget: 1_000_000 };

  it('--jobs 2 reports exactly what one thread reports (the main thread starts, a worker joins once loaded)', async () => {
    const one = await runCheckParallel([dir], { cwd: dir, options, jobs: 1 });
    const two = await runCheckParallel([dir], { cwd: dir, options, jobs: 2 });
    assert.equal(one.files.length, 12);
    assert.equal(one.failed, true);
    assert.equal(one.summary.gradients.wrong, 3);
    assert.deepEqual(two.json, one.json);
    assert.deepEqual(two.summary, one.summary);
  });

  it('files analysed in workers only give the same report (the workers take every file, in order)', async () => {
    const one = await runCheckParallel([dir], { cwd: dir, options, jobs: 1 });
    const started: number[] = [];
    const workers = await runCheckParallel([dir], { cwd: dir, options, jobs: 3, workersOnly: true, progress: (k, n) => { if (k < n) started.push(k); } });
    assert.deepEqual(workers.json, one.json);
    assert.deepEqual(started, Array.from({ length: 12 }, (_, k) => k));
  });

  it('workers that fail to start: this thread checks their share, and the report is the same; with workers only, the run fails rather than waits', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-broken-'));
    const broken = path.join(elsewhere, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('this thread cannot start');\n");
    const one = await runCheckParallel([dir], { cwd: dir, options, jobs: 1 });
    const worker = { script: broken, workerData: { role: 'none' } };
    const three = await runCheckParallel([dir], { cwd: dir, options, jobs: 3, worker });
    assert.deepEqual(three.json, one.json);
    await assert.rejects(runCheckParallel([dir], { cwd: dir, options, jobs: 3, workersOnly: true, worker }), /cannot start/);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  describe('workers started through the code-cache loader (as dist/cli.js starts them)', () => {
    let cacheHome: string;
    let saved: string | undefined;
    // The workers take the environment of this process when they start: a cache folder of the test's own.
    beforeEach(() => {
      cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-pool-cache-'));
      saved = process.env.XDG_CACHE_HOME;
      process.env.XDG_CACHE_HOME = cacheHome;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = saved;
      fs.rmSync(cacheHome, { recursive: true, force: true });
    });
    const cliCaches = () => fs.readdirSync(path.join(cacheHome, 'gradlens')).filter((n) => n.startsWith('cli-') && n.endsWith('.v8cache'));
    const throughLoader = () => runCheckParallel([dir], { cwd: dir, options, jobs: 2, workersOnly: true, worker: loaderEntry(DIST) });

    it('give the report of --jobs 1, with the cache written and then reused', async () => {
      const one = await runCheckParallel([dir], { cwd: dir, options, jobs: 1 });
      const first = await throughLoader();
      assert.deepEqual(first.json, one.json);
      assert.deepEqual(first.summary, one.summary);
      const [name] = cliCaches();
      assert.ok(name, 'the worker wrote no code cache');
      const file = path.join(cacheHome, 'gradlens', name);
      const written = fs.statSync(file).mtimeMs;
      const second = await throughLoader();
      assert.deepEqual(second.json, one.json);
      assert.equal(fs.statSync(file).mtimeMs, written, 'the cache was not reused');
    });

    it('a corrupt or foreign cache is ignored (and replaced), and the report is still right', async () => {
      const one = await runCheckParallel([dir], { cwd: dir, options, jobs: 1 });
      await throughLoader();
      const [name] = cliCaches();
      const file = path.join(cacheHome, 'gradlens', name);
      const good = fs.readFileSync(file);
      const headerEnd = good.indexOf('\n', good.indexOf('\n') + 1) + 1;
      const foreignHeader = Buffer.from(`gradlens-v8-code-cache 1\n${crypto.createHash('sha256').update('another source').digest('hex')}\n`, 'latin1');
      for (const planted of [
        Buffer.concat([good.subarray(0, headerEnd), Buffer.from('not a code cache')]), // corrupt, under the right header
        Buffer.concat([foreignHeader, good.subarray(headerEnd)]), // made for another source
        good.subarray(headerEnd), // no header
      ]) {
        fs.writeFileSync(file, planted, { mode: 0o600 });
        const r = await throughLoader();
        assert.deepEqual(r.json, one.json);
        assert.deepEqual(r.summary, one.summary);
        const now = fs.readFileSync(file);
        assert.ok(now.subarray(0, headerEnd).equals(good.subarray(0, headerEnd)) && now.length > 100_000, 'the bad cache was not replaced by a good one');
      }
    });
  });

  it('by default a worker per 48 files, on every core but one (left to V8\'s own threads): one thread on two cores', () => {
    for (const files of [1, 47, 48, 100, 500, 10_000]) {
      assert.equal(defaultJobs(files, 1), 1);
      assert.equal(defaultJobs(files, 2), 1);
    }
    assert.equal(defaultJobs(47, 8), 1);
    assert.equal(defaultJobs(48, 8), 2);
    assert.equal(defaultJobs(100, 8), 3);
    assert.equal(defaultJobs(10_000, 8), 7);
    assert.equal(defaultJobs(10_000), Math.max(1, os.availableParallelism() - 1));
  });

  it('the check leaves out the closed forms and the locals\' partials (the report does not show them)', () => {
    const r = checkFile(path.join(dir, 'm00.ts'), 'm00.ts', options);
    const fns = r.analysis!.functions;
    assert.deepEqual(fns.map((f) => f.name), ['f0', 'f1', 'f2']);
    for (const f of fns) {
      assert.deepEqual(f.locals, []);
      assert.equal(f.closedForm, null);
      assert.ok(f.gradient !== null && f.check !== null);
    }
  });
});
