// The CLI's pool (cli/parallel.ts): the main thread analyses files while the workers load, each
// worker takes files as it finishes them; whichever thread analyses a file, the report is the one
// a single thread gives, file for file. And `gradlens check` leaves out what only the editor shows.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../cli/check';
import { defaultJobs, runCheckParallel } from '../../cli/parallel';

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

  it('by default a worker per 48 files, no more than the cores', () => {
    assert.equal(defaultJobs(1), 1);
    assert.equal(defaultJobs(47), 1);
    assert.equal(defaultJobs(48), Math.min(2, os.cpus().length));
    assert.equal(defaultJobs(10_000), os.cpus().length);
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
