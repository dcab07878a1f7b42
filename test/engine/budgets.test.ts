// Issue "Analysis that never stalls": every case of the hostile corpus is answered within its
// budget with the diagnostic it calls for, and the good function beside it is still analysed; the
// meter's own rules; random programs of the subset never run past the per-function time budget
// by more than a small margin.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeFile, FileAnalysisJob, isStackOverflow, blankDeepNesting } from '../../engine/analyzeFile';
import { BudgetExceeded, clampBudgets, inPhase, Meter, meter, withMeter } from '../../engine/budget';
import { parseAnnotations } from '../../engine/annotations';
import { hostileCases } from './hostileCorpus';
import { randomProgram } from './randomPrograms';

/** Generous: the per-function budget is 2 s; the issue's bar for a whole hostile file is 5 s. */
const FILE_LIMIT_MS = 8_000;

describe('engine: budgets on every phase (hostile corpus)', function () {
  this.timeout(60_000);

  for (const c of hostileCases()) {
    it(`${c.name}: ${c.expect === 'none' ? 'analysed' : c.expect} within budget, the rest of the file analysed`, () => {
      const t0 = performance.now();
      const fa = analyzeFile(c.text, c.options);
      const ms = performance.now() - t0;
      assert.ok(ms < FILE_LIMIT_MS, `${ms.toFixed(0)} ms`);
      const codes = fa.diagnostics.map((d) => d.code);
      assert.ok(!codes.includes('GL009'), JSON.stringify(fa.diagnostics.filter((d) => d.code === 'GL009')));
      if (c.expect !== 'none') assert.ok(codes.includes(c.expect), `expected ${c.expect}: ${JSON.stringify(fa.diagnostics.map((d) => `${d.code} ${d.message.slice(0, 120)}`))}`);
      if (c.survivor) {
        const s = fa.functions.find((f) => f.name === c.survivor);
        assert.ok(s && s.value !== null, `'${c.survivor}' was not analysed: ${JSON.stringify(fa.diagnostics.slice(0, 3))}`);
      }
      // A GL007 names what ran out and where it sits: never on offset 0 of the file.
      for (const d of fa.diagnostics.filter((x) => x.code === 'GL007')) {
        assert.ok(d.range.end > 0 && d.functionName, JSON.stringify(d));
        assert.match(d.message, /budget|nested|stopped/);
      }
    });
  }

  it('a function stopped by time keeps its value and gradient, and says so', () => {
    // The gradient check runs the hand-written gradient, which takes far more than 300 ms (a loop of
    // 10¹² steps, under a step budget that lets it run on: only time stops it, inside compiled code
    // and in the interpreter alike); the value and gradient come first.
    const text = `/**
 * @differentiable
 * @at w = [${Array.from({ length: 400 }, (_, i) => (i % 5) / 10).join(', ')}]
 */
export function loss(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) for (let j = 0; j < 40; j++) s += Math.sin(w[i] * j);
  return s;
}
export function lossGrad(w: number[]): number[] {
  let t = 0;
  for (let i = 0; i < 1e12; i++) t += i;
  return w.map((x) => 0 * x + 0 * t);
}
`;
    const fa = analyzeFile(text, { timeBudgetMs: 300, stepBudget: 50_000_000 });
    const f = fa.functions[0];
    assert.ok(f.gradient, 'the gradient was kept');
    const gl007 = fa.diagnostics.find((d) => d.code === 'GL007');
    assert.ok(gl007, JSON.stringify(fa.diagnostics.map((d) => d.message)));
    assert.match(gl007.message, /while (checking the hand-written gradient|computing the finite-difference witness)/);
    assert.match(gl007.message, /value and gradient shown were computed/);
  });

  it('cheap functions are not held up by expensive ones: they are analysed within the file budget first', () => {
    const slow = (k: number) => `/**
 * @differentiable
 * @at x = 0.5
 */
export function slow${k}(x: number): number { let s = 0; for (let i = 0; i < 300000; i++) s += Math.sin(x + i); return s; }
`;
    const quick = (k: number) => `/**
 * @differentiable
 * @at x = 0.5
 */
export function quick${k}(x: number): number { return x * x * ${k + 1}; }
`;
    let text = '';
    for (let k = 0; k < 30; k++) text += slow(k);
    for (let k = 0; k < 5; k++) text += quick(k);
    const job = new FileAnalysisJob(text, { timeBudgetMs: 1000 });
    const order: string[] = [];
    while (job.step()) order.push(...job.result().functions.map((f) => f.name).filter((n) => !order.includes(n)));
    order.push(...job.result().functions.map((f) => f.name).filter((n) => !order.includes(n)));
    const firstSlow = order.findIndex((n) => n.startsWith('slow'));
    for (let k = 0; k < 5; k++) assert.ok(order.indexOf(`quick${k}`) >= 0 && order.indexOf(`quick${k}`) < firstSlow, order.join(' '));
    const fa = job.result();
    assert.equal(fa.functions.filter((f) => f.name.startsWith('quick') && f.value !== null).length, 5);
  });

  it('a file of many cheap functions gets more time than one of few: 5 ms more per function to analyse', () => {
    const one = (k: number) => `/**\n * @differentiable\n * @at x = 0.5\n */\nexport function f${k}(x: number): number { return x * ${k}; }\n`;
    const budgetOf = (count: number) => (new FileAnalysisJob(Array.from({ length: count }, (_, k) => one(k)).join('\n')) as unknown as { fileBudgetMs: number }).fileBudgetMs;
    assert.equal(budgetOf(1), 4_005);
    assert.equal(budgetOf(400), 6_000);
  });

  it('a step budget or time budget above its ceiling is clamped', () => {
    assert.deepEqual(clampBudgets({ stepBudget: 1e15, timeBudgetMs: 1e9, randomPoints: 1e6 }), { stepBudget: 50_000_000, timeBudgetMs: 10_000, randomPoints: 100 });
    assert.deepEqual(clampBudgets({ stepBudget: Infinity, timeBudgetMs: 1 }), { stepBudget: 50_000_000, timeBudgetMs: 100 });
  });

  it('the meter: time stays spent, phases are named, the ambient meter is restored', () => {
    let now = 0;
    const m = new Meter({ timeMs: 10 }, () => now);
    withMeter(m, () => {
      assert.equal(meter(), m);
      now = 11;
      assert.throws(() => inPhase('symbolic printing', () => meter().checkTime()), (e: unknown) => e instanceof BudgetExceeded && e.phase === 'symbolic printing');
      now = 0; // even if the clock went back, the budget is spent
      assert.throws(() => meter().checkTime(), BudgetExceeded);
      assert.ok(m.spent);
    });
    assert.notEqual(meter(), m);
  });

  it('tags are found in linear time on long blank runs (the old expressions were quadratic)', () => {
    for (const n of [20_000, 200_000]) {
      const text = `/**\n${' '.repeat(n)}\n * @differentiable\n * @at x = 2${'\n'.repeat(n)} */`;
      const t0 = performance.now();
      const { annotations } = parseAnnotations(text, 0, text.length, 'f');
      const ms = performance.now() - t0;
      assert.ok(annotations.differentiable);
      assert.deepEqual(annotations.at, [{ x: 2 }]);
      assert.ok(ms < 500, `${n}: ${ms.toFixed(0)} ms`);
    }
  });

  it('a parameter named like an Object.prototype member is an ordinary @at name', () => {
    const text = '/** @differentiable\n * @at constructor = 1, toString = 2 */';
    const { annotations, diagnostics } = parseAnnotations(text, 0, text.length, 'f');
    assert.deepEqual(diagnostics, []);
    assert.equal(annotations.at[0].constructor, 1);
    assert.equal(annotations.at[0].toString, 2);
  });

  it('too-deep nesting is blanked for the parser with offsets kept', () => {
    const text = `a(${'('.repeat(10)}x${')'.repeat(10)}) // (((\nb()`;
    const { text: out, regions } = blankDeepNesting(text, 4);
    assert.equal(out.length, text.length);
    assert.equal(regions.length, 1);
    assert.equal(out.split('\n').length, 2);
    assert.ok(out.endsWith('b()'));
    assert.ok(!isStackOverflow(new Error('x')));
  });
});

describe('engine: budgets, property', function () {
  this.timeout(120_000);

  it('random programs of the subset never run past the per-function time budget by more than a margin', () => {
    const budgetMs = 100;
    fc.assert(fc.property(randomProgram(), (rp) => {
      const job = new FileAnalysisJob(rp.text, { timeBudgetMs: budgetMs });
      for (;;) {
        const t0 = performance.now();
        const more = job.step();
        // One step is a first slice (25 ms) or one whole budget; the margin covers a major GC and
        // the last operations before the clock is read (small beside the default budget of 2 s).
        assert.ok(performance.now() - t0 < budgetMs + 400, `${(performance.now() - t0).toFixed(0)} ms\n${rp.text}`);
        if (!more) break;
      }
      assert.ok(!job.result().diagnostics.some((d) => d.code === 'GL009'), rp.text);
    }), { numRuns: 60, seed: 7 });
  });
});
