// Incremental in proportion to the edit (issue 15 item 4): after an edit inside one function of a
// large file, discovery re-visits only the statements the incremental parser re-parsed, only that
// function (and its callers) is analysed again, the other results are the very objects of the last
// analysis, and the whole result is what a fresh analysis of the new text gives.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeFile, AnalysisCache, FileAnalysisJob } from '../../engine/analyzeFile';
import { placedStats } from '../../engine/ranges';
import { placementStats, spliceStats } from '../../engine/statementSplice';
import { oraclesBuilt } from '../../engine/typeOracle';
import { discoveryStats } from '../../engine/declarationForms';
import { editsAgreeWithFresh } from './editSequences';

/** `count` annotated functions, each with a hand-written gradient, and a helper every fourth one calls. */
function bigFile(count: number): string {
  const out: string[] = ['// generated for the incremental tests'];
  for (let i = 0; i < count; i++) {
    const c = (0.5 + (i % 7) * 0.1).toFixed(2);
    if (i % 4 === 3) {
      out.push(`function helper${i}(u: number): number {\n  return u * u + ${c};\n}\n`);
      out.push(`/**\n * @differentiable\n * @at x = 0.75\n */\nexport function usesHelper${i}(x: number): number {\n  return helper${i}(x) * 2;\n}\n`);
      continue;
    }
    out.push(`/**\n * @differentiable\n * @at x = 1.5, y = -0.25\n */\nexport function smooth${i}(x: number, y: number): number {\n  const a = x * x + ${c} * y;\n  return a * Math.sin(y);\n}\n`);
    out.push(`export function smooth${i}Grad(x: number, y: number): [number, number] {\n  const a = x * x + ${c} * y;\n  return [2 * x * Math.sin(y), ${c} * Math.sin(y) + a * Math.cos(y)];\n}\n`);
  }
  return out.join('\n');
}

const at = (text: string, needle: string, from = 0): number => {
  const i = text.indexOf(needle, from);
  assert.ok(i >= 0, `no '${needle}'`);
  return i;
};

describe('engine: incremental in proportion to the edit', () => {
  const FILE = bigFile(120);

  it('an edit inside one function re-discovers one statement and re-analyses one function; the rest are the same objects', () => {
    const cache = new AnalysisCache();
    const before = analyzeFile(FILE, {}, cache);
    const statements = discoveryStats.statements;
    const misses = cache.misses;
    // Same length (as the bench edits): nothing moves.
    const i = at(FILE, '  const a = x * x + 0.90 * y;', at(FILE, 'function smooth60('));
    const edited = FILE.slice(0, i) + '  const a = x * x + 0.91 * y;' + FILE.slice(i + '  const a = x * x + 0.90 * y;'.length);
    const after = analyzeFile(edited, {}, cache);
    assert.equal(discoveryStats.statements - statements, 1);
    assert.equal(cache.misses - misses, 1);
    for (const f of after.functions) {
      const old = before.functions.find((g) => g.name === f.name)!;
      if (f.name === 'smooth60') assert.notEqual(f, old);
      else assert.equal(f, old, `${f.name} was analysed again or copied`);
    }
    assert.deepEqual(after, analyzeFile(edited));
    // The changed constant is a wrong gradient now (the hand-written one still says 0.90).
    assert.ok(after.diagnostics.some((d) => d.code === 'GL001' && d.functionName === 'smooth60'));
    assert.ok(!before.diagnostics.some((d) => d.code === 'GL001'));
  });

  it('an edit in a helper re-analyses its caller only', () => {
    const cache = new AnalysisCache();
    analyzeFile(FILE, {}, cache);
    const misses = cache.misses;
    const i = at(FILE, 'return u * u + ', at(FILE, 'function helper43('));
    const edited = FILE.slice(0, i) + 'return u * u * u + ' + FILE.slice(i + 'return u * u + '.length);
    const after = analyzeFile(edited, {}, cache);
    assert.equal(cache.misses - misses, 1);
    assert.equal(after.functions.find((f) => f.name === 'usesHelper43')!.value, 2 * (0.75 ** 3 + 0.6));
    assert.deepEqual(after, analyzeFile(edited));
  });

  it('an edit that moves every function after it: their results are moved, not analysed again, and land on their code', () => {
    const cache = new AnalysisCache();
    analyzeFile(FILE, {}, cache);
    const misses = cache.misses;
    const i = at(FILE, '  return a * Math.sin(y);', at(FILE, 'function smooth1('));
    const edited = FILE.slice(0, i) + '  // a new line\n' + FILE.slice(i);
    const after = analyzeFile(edited, {}, cache);
    assert.equal(cache.misses - misses, 1);
    assert.deepEqual(after, analyzeFile(edited));
    const last = after.functions.find((f) => f.name === 'smooth118')!;
    assert.equal(edited.slice(last.nameRange.start, last.nameRange.end), 'smooth118');
  });

  it('typing in the first function of a large file copies no later analysis: each is the object cached, with how far it moved', () => {
    const cache = new AnalysisCache();
    const first = new FileAnalysisJob(FILE, {}, cache);
    while (first.step()) { /* one function per step */ }
    const made = new Map(first.resultParts().functions.map((p) => [p.analysis.name, p.analysis]));
    const i = at(FILE, '  return a * Math.sin(y);', at(FILE, 'function smooth0('));
    let text = FILE;
    // A character typed, another, one taken away: every function after the first moves each time.
    for (const [k, typed] of ['  return a * Math.sin(y) ;', '  return a * Math.sin(y)  ;', '  return a * Math.sin(y) ;'].entries()) {
      text = FILE.slice(0, i) + typed + FILE.slice(i + '  return a * Math.sin(y);'.length);
      const moved = placedStats.moved;
      const spliced = spliceStats.spliced;
      const job = new FileAnalysisJob(text, {}, cache);
      while (job.step()) { /* one function per step */ }
      const parts = job.resultParts();
      assert.equal(spliceStats.spliced - spliced, 1, 'the edit was not spliced');
      assert.equal(placedStats.moved - moved, 0, 'analyses were copied to move them');
      for (const p of parts.functions) {
        if (p.analysis.name === 'smooth0') continue;
        assert.equal(p.analysis, made.get(p.analysis.name), `${p.analysis.name} was analysed again or copied`);
        assert.equal(p.shifts.length > 0 && p.shifts.every((s) => s.delta === k + 1 - 2 * Math.floor(k / 2)), true, p.analysis.name);
      }
      // The diagnostics are where a fresh analysis puts them, and so is everything once moved.
      const fresh = analyzeFile(text);
      assert.deepEqual(parts.diagnostics, fresh.diagnostics);
      assert.deepEqual(job.result(), fresh);
      const last = job.result().functions.find((f) => f.name === 'usesHelper119')!;
      assert.equal(text.slice(last.nameRange.start, last.nameRange.end), 'usesHelper119');
    }
  });

  it('a table paired by its structure and exports paired across statements stay right after edits elsewhere', () => {
    const text = `/** @differentiable
 * @at x = 0.5 */
export const act = {
  fn: (x: number): number => Math.tanh(x),
  derivative: (x: number): number => 1 - Math.tanh(x) ** 2,
};

/**
 * @differentiable
 * @at x = 2
 * @gradient fGrad
 */
exports.f = function (x: number): number { return x * x * x; };

export function other(x: number): number {
  return x + 1;
}

exports.fGrad = function (x: number): number { return 3 * x * x; };
`;
    const cache = new AnalysisCache();
    const checks = (t: string) => analyzeFile(t, {}, cache).functions.map((f) => `${f.name}:${f.check?.name}:${f.check?.status}`).sort();
    assert.deepEqual(checks(text), ['act.fn:act.derivative:ok', 'exports.f:exports.fGrad:ok']);
    const e1 = text.replace('return x + 1;', 'return x + 2;');
    assert.deepEqual(checks(e1), ['act.fn:act.derivative:ok', 'exports.f:exports.fGrad:ok']);
    assert.deepEqual(analyzeFile(e1, {}, cache), analyzeFile(e1));
    // The gradient's statement changes (a wrong factor): the function that names it is checked again.
    const e2 = e1.replace('return 3 * x * x;', 'return 2 * x * x;');
    assert.deepEqual(checks(e2), ['act.fn:act.derivative:ok', 'exports.f:exports.fGrad:wrong']);
    // Renamed away: the tag no longer resolves (the statement naming it did not change).
    const e3 = e2.replace('exports.fGrad =', 'exports.fGrad2 =');
    assert.deepEqual(analyzeFile(e3, {}, cache), analyzeFile(e3));
    const e4 = e3.replace('exports.fGrad2 =', 'exports.fGrad =').replace('return 2 * x * x;', 'return 3 * x * x;');
    assert.deepEqual(checks(e4), ['act.fn:act.derivative:ok', 'exports.f:exports.fGrad:ok']);
  });

  it('a class field given by a top-level constant: the method is analysed again when the constant changes', () => {
    const text = `const K = 3;
class Spring {
  k = K;
  /**
   * @differentiable
   * @at x = 2
   */
  energy(x: number): number { return 0.5 * this.k * x * x; }
}
`;
    const cache = new AnalysisCache();
    assert.deepEqual(analyzeFile(text, {}, cache), analyzeFile(text));
    const edited = text.replace('const K = 3;', 'const K = 5;');
    assert.deepEqual(analyzeFile(edited, {}, cache), analyzeFile(edited));
  });

  it("a class field's literal array: the method is analysed again when it changes (its check points read it)", () => {
    // Found by random edits of test/fixtures/realStyle/ridgeRegression.ts: the array was no part of
    // the method's key, so the analysis made with the old data was kept.
    const text = `class Ridge {
  lambda = 0.1;
  xs: number[] = [1, 2, 3];
  /**
   * @differentiable
   * @at w = 0.5
   */
  loss(w: number): number {
    let s = this.lambda * w * w;
    for (let i = 0; i < this.xs.length; i++) s += (w * this.xs[i] - 1) ** 2;
    return s;
  }
}
`;
    const cache = new AnalysisCache();
    analyzeFile(text, {}, cache);
    const once = text.replace('xs: number[] = [1, 2, 3]', 'xs: number[] = [4, 2, 3]');
    const r = analyzeFile(once, {}, cache);
    assert.deepEqual(r, analyzeFile(once));
    assert.deepEqual(r.functions[0].points[0]?.['this.xs'], [4, 2, 3]);
    const twice = once.replace('lambda = 0.1', 'lambda = 0.7').replace('[4, 2, 3]', '[5, 2, 3]');
    assert.deepEqual(analyzeFile(twice, {}, cache), analyzeFile(twice));
  });

  it('a module constant a function reads: the function is analysed again when the constant changes, the others are not', () => {
    const text = `const K = 2;
/**
 * @differentiable
 * @at x = 3
 */
function f(x: number): number { return K * x; }
/**
 * @differentiable
 * @at x = 3
 */
function g(x: number): number { return x * x; }
`;
    const cache = new AnalysisCache();
    assert.equal(analyzeFile(text, {}, cache).functions[0].value, 6);
    const misses = cache.misses;
    const edited = text.replace('const K = 2;', 'const K = 5;');
    const r = analyzeFile(edited, {}, cache);
    assert.equal(r.functions[0].value, 15);
    assert.equal(cache.misses - misses, 1);
    assert.deepEqual(r, analyzeFile(edited));
  });

  it('random edits over many forms: the incremental result equals a fresh analysis', () => {
    const FORMS = FORMS_BASE + `/** @differentiable
 * @at x = 1.25 */
Model.prototype.scaled = function (x: number): number { return 3 * x; };
`;
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 5 }), ins: fc.constantFrom('', 'x', ' ', '2', ';', '(', '}', '{', '\n', '* 2', '/** @differentiable */\n', 'const q = 1;\n') });
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 10 }), (edits) => { editsAgreeWithFresh(FORMS, edits, 'forms'); }), { numRuns: 30, seed: 15 });
  });

  // Typing moves the statements after the edit lazily (engine/statementSplice.ts): whatever the
  // analysis reads of them must be placed first. Characters typed and deleted at random places,
  // nothing else in between, over classes, tables, closures, prototypes, a record class, and a
  // file only the type checker types.
  const REAL = path.resolve(__dirname, '../../../test/fixtures/realStyle');
  const CHECKED = `
/** @param {number[]} z */
function normalise(z) {
  var s = 0;
  for (var i = 0; i < z.length; i++) s += z[i] * z[i];
  var n = Math.sqrt(s);
  return z.map((v) => v / n);
}

/**
 * @differentiable
 * @param {number[]} w
 * @at w = [1, 2, 2]
 */
function first(w) {
  var u = normalise(w);
  return 3 * u[0];
}

function pad(q) {
  return q + 1;
}
`;
  const typingOver = (name: string, source: string, runs: number) => {
    const typed = fc.record({ at: fc.nat(), del: fc.boolean(), ins: fc.constantFrom('1', ' ', 'x', '\n', '0', ' * 2') });
    fc.assert(fc.property(fc.array(typed, { minLength: 1, maxLength: 6 }), (edits) => {
      editsAgreeWithFresh(source, edits.map((e) => (e.del ? { at: e.at, del: 1, ins: '' } : { at: e.at, del: 0, ins: e.ins })), name);
    }), { numRuns: runs, seed: 27 });
  };

  it('typing at random places over classes, tables, closures and prototypes: the incremental result equals a fresh analysis', () => {
    const spliced = spliceStats.spliced;
    typingOver('forms', FORMS_FOR_TYPING, 30);
    typingOver('vectorClass.ts', fs.readFileSync(path.join(REAL, 'vectorClass.ts'), 'utf8'), 15);
    typingOver('softmaxLoss.js', fs.readFileSync(path.join(REAL, 'softmaxLoss.js'), 'utf8'), 15);
    assert.ok(spliceStats.spliced - spliced > 60, 'typing edits were spliced');
  });

  it('typing in a file the type checker types: the checker sees every statement where it now is', () => {
    const before = oraclesBuilt();
    typingOver('checked', CHECKED, 15);
    assert.ok(oraclesBuilt() > before, 'the checker was used');
  });

  it('a function moved by typing and never read, then named as a hand-written gradient: read where it now is', () => {
    const text = `function pad(q: number): number { return q + 1; }

/**
 * @differentiable
 * @at w = [1, 2]
 */
function f(w: number[]): number { return w[0] * w[0] + 3 * w[1]; }

function h(w: number[]): number[] { return [2 * w[0], 3]; }
`;
    const cache = new AnalysisCache();
    analyzeFile(text, {}, cache);
    const typed = text.replace('q + 1', 'q + 12');
    assert.deepEqual(analyzeFile(typed, {}, cache), analyzeFile(typed));
    const tagged = typed.replace(' * @at w = [1, 2]', ' * @at w = [1, 2]\n * @gradient h');
    const after = analyzeFile(tagged, {}, cache);
    assert.deepEqual(after, analyzeFile(tagged));
    assert.equal(after.functions[0].check?.status, 'ok');
  });

  it('typing in the first function of a large file places no node of the later statements the analysis does not read', () => {
    const cache = new AnalysisCache();
    analyzeFile(FILE, {}, cache);
    const i = at(FILE, '  return a * Math.sin(y);', at(FILE, 'function smooth0('));
    const text = FILE.slice(0, i) + ' ' + FILE.slice(i);
    const before = { ...placementStats };
    const after = analyzeFile(text, {}, cache);
    // The edited function's hand-written gradient (the statement after it) is read; no other.
    assert.equal(placementStats.statements - before.statements, 1);
    assert.ok(placementStats.nodes - before.nodes < 100, `${placementStats.nodes - before.nodes} nodes placed`);
    assert.deepEqual(after, analyzeFile(text));
  });
});

/** A table, a class with a field, a helper and a factory: the start of both forms files (`FORMS` in the random-edit test, `FORMS_FOR_TYPING`). */
const FORMS_BASE = `const C = 1.5;
/** @differentiable
 * @at x = 0.5 */
export const act = {
  fn: (x: number): number => Math.tanh(x),
  derivative: (x: number): number => 1 - Math.tanh(x) ** 2,
};

class Model {
  k = 2;
  /**
   * @differentiable
   * @at x = 1
   */
  loss(x: number): number { return this.k * sq(x); }
}

function sq(u: number): number {
  return C * u * u;
}

/** @differentiable
 * @at w = 0.3 */
function makeLoss(c: number) {
  return function loss(w: number): number { return c * w * w; };
}

`;

const FORMS_FOR_TYPING = FORMS_BASE + `function Spring(k) {
  this.k = k || 2;
}

/** @differentiable
 * @at x = 1.25, this.k = 3 */
Spring.prototype.energy = function (x: number): number { return 0.5 * this.k * x * x; };

/**
 * @differentiable
 * @at x = 0.7
 * @gradient fGrad
 */
export function f(x: number): number { return Math.sin(x) * sq(x); }

export function fGrad(x: number): number { return Math.cos(x) * sq(x) + Math.sin(x) * 2 * C * x; }

/** An unanalysed tag: @differentiable on a callback */
[1, 2].map(/** @differentiable */ (v) => v * 2);
`;
