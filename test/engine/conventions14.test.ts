// Hand-written derivatives in the shapes real code uses (README, "Hand-written derivatives in the
// shapes real code uses"): out-array and fused value-and-gradient functions, flag-fused
// functions, vector-Jacobian products, derivatives in terms of the output, one function per
// partial with its scale, several gradients, Hessians, Hessian-vector products and JVPs.
//
// Data-driven: test/fixtures/conventions/<convention>.right.ts holds correct code in each
// convention (no diagnostic, and `gradlens check` exits 0); <convention>.wrong.ts holds wrong code
// (a sign, a factor, an index, the output for the input) with the expected GL001/GL006 marked by
// carets under the component (`gradlens check` exits 1 and names that line and column).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile, componentFixes } from '../../engine/index';
import { parseAnnotations } from '../../engine/annotations';
import { handTagsOf } from '../../engine/check/tags';
import { checkSummary, gradientHover } from '../../server/hover';
import { checkDiagnostics, parseFixture } from './fixture';

const ROOT = path.resolve(__dirname, '../../..');
const DIR = path.join(ROOT, 'test/fixtures/conventions');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts')).sort();
const RIGHT = FILES.filter((f) => f.endsWith('.right.ts'));
const WRONG = FILES.filter((f) => f.endsWith('.wrong.ts'));

/** Per right fixture: function → the checks it has (name: description), every one agreeing with AD. */
const CHECKS: Record<string, Record<string, string[]>> = {
  'out.right.ts': {
    rosen: ['rosenPrime: out-array gradient', 'rosenPrimeReturning: out-array gradient'],
    linear: ['linearGrad: out-array gradient'],
  },
  'fused.right.ts': {
    rosen: ['rosenFused: fused value and gradient'],
    objective: ['objective: fused value and gradient (the function itself)'],
    energy: ['energy: fused value and gradient (the function itself)'],
  },
  'flag.right.ts': {
    sigmoid: ['sigmoid: flag-fused value and derivative (the function itself)'],
    softsign: ['softsign: flag-fused value and derivative (the function itself)'],
    tanhFn: ['tanhAct: flag-fused value and derivative'],
  },
  'vjp.right.ts': {
    sigmoid: ['sigmoidBackward: vector-Jacobian product'],
    polar: ['polarBackward: vector-Jacobian product'],
    square: ['squareBackward: vector-Jacobian product'],
  },
  'output.right.ts': {
    sigmoid: ['sigmoidPrime: derivative in terms of the output'],
    tanh: ['tanhPrime: derivative in terms of the output'],
    expScaled: ['expPrime: derivative in terms of the output'],
  },
  'partial.right.ts': {
    call: [
      'delta: partial derivative with respect to S',
      'vega: partial derivative with respect to sigma, scaled by 0.01',
      'rho: partial derivative with respect to r, scaled by 0.01',
      'theta: partial derivative with respect to T, scaled by -1/365',
    ],
  },
  'forms.right.ts': {
    'activations.sigmoid.fn': ['activations.sigmoid.derivative: derivative in terms of the output'],
    'activations.tanh.fn': ['activations.tanh.derivative: derivative in terms of the output'],
    'Quadratic.valueAndGradient': ['Quadratic.valueAndGradient: fused value and gradient (the function itself)'],
    price: ['delta: partial derivative with respect to S'],
  },
  'several.right.ts': {
    rosen: ['rosenTuple: gradient', 'rosenObject: gradient', 'rosenOut: out-array gradient', 'rosenHessian: Hessian', 'rosenHvp: Hessian-vector product', 'rosenJvp: Jacobian-vector product'],
  },
};

/** Hints the wrong fixtures' GL001 messages carry: the likely convention, and the tag that declares it. */
const HINTS: [string, string][] = [
  ['out.wrong.ts', 'Hint: it equals the expected x[1] (-550): an index or order mix-up?'],
  ['out.wrong.ts', 'Hint: the sign is flipped.'],
  ['fused.wrong.ts', 'Hint: the sign is flipped.'],
  ['flag.wrong.ts', 'Hint: the sign is flipped.'],
  ['output.wrong.ts', 'it is written in terms of the input, so drop `output` from the tag'],
  ['output.wrong.ts', 'a derivative written in terms of the output (like sigmoid′ = y(1 − y)). If that is intended, declare it: `@gradient tanhPrime output`.'],
  ['partial.wrong.ts', "Hint: it returns ∂call/∂sigma unscaled; `scale 0.01` says it should be 0.01 times that."],
  ['partial.wrong.ts', 'Hint: the sign is flipped (it returns -0.01 · ∂call/∂r).'],
  ['partial.wrong.ts', 'Hint: it returns -1/365 · ∂call/∂T: a per-day convention (−1/365 ·, as theta often is). If that is intended, declare it: `@partial T theta scale -1/365`.'],
  ['several.wrong.ts', 'Hint: the sign is flipped.'],
  ['forms.wrong.ts', 'Hint: it gives activations.sigmoid.fn′ when called with the input x = 0.3 instead'],
  ['forms.wrong.ts', 'Hint: the sign is flipped.'],
];

/** Functions whose wrong components "Fix hand-written gradient" repairs in place, in the convention's shape. */
const FIXED: [string, string, string[]][] = [
  ['out.wrong.ts', 'rosen', ['-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0])', '200 * (x[1] - x[0] * x[0])']],
  ['fused.wrong.ts', 'rosen', ['(1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2']],
  ['fused.wrong.ts', 'energy', ['y * Math.cos(x)']],
  ['vjp.wrong.ts', 'sigmoid', ['gOut * (Math.exp(-x) / (Math.exp(-x) + 1) ** 2)']],
  ['several.wrong.ts', 'rosen', ['200 * (y - x * x)']],
];

function cli(args: string[]): { status: number | null; stdout: string } {
  const env = { ...process.env, NO_COLOR: '1' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

/** The caret marks of a fixture as `line:column code` of the file as it is on disk (1-based). */
function marksOnDisk(text: string): string[] {
  const marks: string[] = [];
  let marked = -1;
  text.split('\n').forEach((line, i) => {
    const m = /^(\s*)(\/\/)(\s*)(\^+)\s+(GL\d{3})/.exec(line);
    if (!m) { marked = i; return; }
    marks.push(`${marked + 1}:${m[1].length + m[2].length + m[3].length + 1} ${m[5]}`);
  });
  return marks;
}

describe('conventions: hand-written derivatives in the shapes real code uses', () => {
  it('has a right and a wrong fixture for every convention', () => {
    for (const c of ['out', 'fused', 'flag', 'vjp', 'output', 'partial', 'several']) {
      assert.ok(RIGHT.includes(`${c}.right.ts`) && WRONG.includes(`${c}.wrong.ts`), c);
    }
    assert.deepEqual(RIGHT.sort(), Object.keys(CHECKS).sort());
  });

  for (const file of RIGHT) {
    it(`${file}: every hand-written derivative agrees, with no diagnostic`, () => {
      const r = analyzeFile(read(file));
      const bad = r.diagnostics.filter((d) => d.severity !== 'hint');
      assert.deepEqual(bad.map((d) => `${d.code} ${d.message}`), []);
      const got: Record<string, string[]> = {};
      for (const f of r.functions) {
        got[f.name] = (f.checks ?? []).map((c) => `${c.name}: ${c.description}`);
        for (const c of f.checks ?? []) assert.equal(c.status, 'ok', `${f.name}/${c.name}`);
        if (f.checks && f.checks.length > 0) assert.equal(f.check, f.checks[0]);
      }
      assert.deepEqual(got, CHECKS[file]);
    });
  }

  for (const file of WRONG) {
    it(`${file}: the GL001 or GL006 on the wrong component, in the convention's terms`, () => {
      checkDiagnostics(read(file));
    });
  }

  it('hints name the likely convention and the tag that declares it', () => {
    for (const [file, hint] of HINTS) {
      const { src } = parseFixture(read(file));
      const messages = analyzeFile(src).diagnostics.filter((d) => d.code === 'GL001').map((d) => d.message);
      assert.ok(messages.some((m) => m.includes(hint)), `${file}: no GL001 says ${JSON.stringify(hint)}:\n${messages.join('\n')}`);
    }
  });

  it('a failing check is the function\'s `check`, whichever tag it comes from (several @gradient: all checked)', () => {
    const { src } = parseFixture(read('several.wrong.ts'));
    const f = analyzeFile(src).functions.find((x) => x.name === 'rosen')!;
    assert.deepEqual(f.checks!.map((c) => `${c.name} ${c.status}`), ['rosenTuple ok', 'rosenObject wrong', 'rosenHessian wrong', 'rosenHvp wrong', 'rosenJvp wrong']);
    assert.equal(f.check!.name, 'rosenObject');
  });

  it('"Fix hand-written gradient" writes each wrong component in the convention\'s shape, and the check then passes', () => {
    for (const [file, fn, replacements] of FIXED) {
      const { src } = parseFixture(read(file));
      const edits = componentFixes(src, fn);
      assert.ok(edits, `${file}: no fix for ${fn}`);
      assert.deepEqual(edits.map((e) => e.newText).sort(), [...replacements].sort(), file);
      let fixed = src;
      for (const e of [...edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
      const after = analyzeFile(fixed).functions.find((f) => f.name === fn)!;
      const before = analyzeFile(src).functions.find((f) => f.name === fn)!;
      // Every check the edits touched passes now.
      for (const c of after.checks ?? []) {
        const was = before.checks!.find((b) => b.name === c.name && b.kind === c.kind)!;
        const touched = was.points.some((p) => p.components.some((k) => k.verdict === 'wrong' && k.range && edits.some((e) => e.start === k.range!.start)));
        if (touched) assert.equal(c.status, 'ok', `${file}: ${c.name} after the fix`);
      }
    }
  });

  it('a scaled partial: the fix keeps the scale', () => {
    const src = `
/**
 * @differentiable
 * @at x = 0.5, s = 2
 * @partial s dfds scale 0.01
 */
function f(x: number, s: number): number { return x * s * s; }
function dfds(x: number, s: number): number { return x * s; }
`;
    const edits = componentFixes(src, 'f');
    assert.deepEqual(edits?.map((e) => e.newText), ['0.01 * (2 * s * x)']);
  });

  it('the tags: several of each are kept in order, `gradient` is the first, malformed ones are GL005', () => {
    const doc = '/**\n * @differentiable\n * @gradient g1\n * @gradient g2 out\n * @gradient g3 flag deriv\n * @partial sigma vega scale -1/365\n * @hessian h hvp\n * @jvp j\n */';
    const { annotations, diagnostics } = parseAnnotations(doc, 0, doc.length, 'f');
    assert.deepEqual(diagnostics, []);
    assert.equal(annotations.gradient, 'g1');
    assert.deepEqual(handTagsOf(annotations).map((t) => [t.kind, t.name, t.convention, t.flagParam ?? null, t.param ?? null, t.scale ?? null, t.hvp ?? false]), [
      ['gradient', 'g1', null, null, null, null, false],
      ['gradient', 'g2', 'out', null, null, null, false],
      ['gradient', 'g3', 'flag', 'deriv', null, null, false],
      ['partial', 'vega', null, null, 'sigma', -1 / 365, false],
      ['hessian', 'h', null, null, null, null, true],
      ['jvp', 'j', null, null, null, null, false],
    ]);
    const bad: [string, string][] = [
      ['@gradient g sideways', "'sideways' is not a convention"],
      ['@gradient g out extra', "unexpected 'extra'"],
      ['@partial sigma', '@partial sigma needs the name of the function'],
      ['@partial sigma vega scale', 'needs a factor'],
      ['@partial sigma vega scale abc', "the scale 'abc' is not a non-zero number"],
      ['@partial sigma vega per 0.01', "unexpected 'per'"],
      ['@hessian h sideways', "unexpected 'sideways'"],
      ['@jvp', '@jvp needs the name of a function'],
    ];
    for (const [tag, message] of bad) {
      const d = `/**\n * @differentiable\n * ${tag}\n */`;
      const r = parseAnnotations(d, 0, d.length, 'f');
      assert.equal(r.diagnostics.length, 1, tag);
      assert.equal(r.diagnostics[0].code, 'GL005');
      assert.ok(r.diagnostics[0].message.includes(message), `${tag}: ${r.diagnostics[0].message}`);
    }
    // Prose after the tag's words is left alone.
    const prose = '/**\n * @differentiable\n * @gradient g (written by hand)\n */';
    assert.deepEqual(parseAnnotations(prose, 0, prose.length, 'f').diagnostics, []);
  });

  it('annotation errors: a @partial of a parameter not differentiated, a missing function, a flag that is not a parameter', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @wrt x
 * @at x = 1, y = 2
 * @partial y dfdy
//          ^ GL005 @partial names 'y', which is not a differentiated parameter of 'f' (x)
 * @partial x nothing
//            ^^^^^^^ GL005 'nothing' is not a function of this file; @partial names the function returning the partial derivative
 * @gradient g flag derivative
// ^^^^^^^^^^^^^^^^^^^^^^^^^^^ GL005 'g' has no parameter 'derivative' (parameters: x, y, d)
 */
function f(x: number, y: number): number { return x * y; }
function dfdy(x: number, y: number): number { return x; }
function g(x: number, y: number, d: boolean): number { return d ? y : x * y; }
`);
  });

  it('the hover lists every check, in the convention\'s words', () => {
    const r = analyzeFile(read('partial.right.ts'));
    const fa = r.functions.find((f) => f.name === 'call')!;
    const summary = checkSummary(fa);
    assert.equal(summary.split('\n').length, 4);
    assert.match(summary, /^- ✓ `vega` \(partial derivative with respect to sigma, scaled by 0\.01\) agrees with AD at 2 points/m);
    const vega = fa.checks!.find((c) => c.name === 'vega')!;
    assert.match(gradientHover(fa, vega), /^\*\*vega\*\* · hand-written partial derivative with respect to sigma, scaled by 0\.01 of `call` \(`@partial`\)/);
  });

  describe('gradlens check', () => {
    before(function () {
      if (!fs.existsSync(CLI)) this.skip();
    });

    for (const file of RIGHT) {
      it(`${file}: exit 0`, () => {
        const r = cli(['check', '--no-progress', path.join('test/fixtures/conventions', file)]);
        assert.equal(r.status, 0, r.stdout);
        assert.doesNotMatch(r.stdout, /GL00[16]/);
      });
    }

    for (const file of WRONG) {
      it(`${file}: exit 1, each GL001/GL006 on its component`, () => {
        const rel = path.join('test/fixtures/conventions', file);
        const r = cli(['check', '--no-progress', rel]);
        assert.equal(r.status, 1, r.stdout);
        const found = [...r.stdout.matchAll(/:(\d+):(\d+)\s+\w+\s+(GL00[16])\s/g)].map((m) => `${m[1]}:${m[2]} ${m[3]}`).sort();
        assert.deepEqual(found, marksOnDisk(read(file)).sort(), r.stdout);
      });
    }
  });
});
