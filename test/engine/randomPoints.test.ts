// Random check points respect how a parameter is used: a number used as an index, compared with
// `===` to a loop index or used as a loop bound is drawn as an integer within the arrays it
// indexes; a captured `const` computed from the factory's inputs (`const n = D.length`) is computed,
// not drawn on its own. Either mistake turned correct gradients into false alarms (GL001, GL006).

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/analyzeFile';
import type { FileAnalysis } from '../../engine/api';

const OPTIONS = { timeBudgetMs: 2000, stepBudget: 50_000_000 };

const codes = (fa: FileAnalysis): string[] => fa.diagnostics.map((d) => d.code);
const fnNamed = (fa: FileAnalysis, name: string) => {
  const f = fa.functions.find((x) => x.name === name);
  assert.ok(f, `no analysis of ${name}: ${fa.functions.map((x) => x.name).join(', ')}`);
  return f;
};

const smoothedCE = (gradientBody: string) => `
/**
 * @differentiable
 * @wrt z
 * @gradient ceGrad
 */
function ce(z: number[], label: number, eps: number): number {
  const k = z.length;
  let m = z[0];
  for (let i = 1; i < k; i++) m = Math.max(m, z[i]);
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(z[i] - m);
  let loss = 0;
  for (let i = 0; i < k; i++) {
    const t = i === label ? 1 - eps : eps / (k - 1);
    loss -= t * (z[i] - m - Math.log(s));
  }
  return loss;
}

function ceGrad(z: number[], label: number, eps: number): number[] {
  const k = z.length;
  let m = z[0];
  for (let i = 1; i < k; i++) m = Math.max(m, z[i]);
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(z[i] - m);
  const g: number[] = [];
  for (let i = 0; i < k; i++) {
    ${gradientBody}
  }
  return g;
}
`;

describe('random check points', () => {
  it('draws a label compared with === to a loop index as an integer: a correct label-smoothed cross-entropy gradient is ok', () => {
    const fa = analyzeFile(smoothedCE(`const t = i === label ? 1 - eps : eps / (k - 1);
    g.push(Math.exp(z[i] - m) / s - t);`), OPTIONS);
    const f = fnNamed(fa, 'ce');
    assert.ok(f.points.length > 0, 'checked at random points');
    for (const p of f.points) assert.ok(Number.isInteger(p.label) && (p.label as number) >= 0 && (p.label as number) < (p.z as number[]).length, `label ${String(p.label)} is an index of z`);
    assert.ok(!codes(fa).includes('GL001') && !codes(fa).includes('GL006'), JSON.stringify(fa.diagnostics.map((d) => d.message)));
    assert.equal(f.check?.status, 'ok');
  });

  it('still reports a wrong gradient (smoothing forgotten) as GL001 at random points', () => {
    const fa = analyzeFile(smoothedCE(`const t = i === label ? 1 : 0;
    g.push(Math.exp(z[i] - m) / s - t);`), OPTIONS);
    assert.equal(fnNamed(fa, 'ce').check?.status, 'wrong');
    assert.ok(codes(fa).includes('GL001'));
  });

  it('draws an index parameter as an integer within the array it indexes (no GL001, no index error)', () => {
    const text = `
/**
 * @differentiable
 * @wrt x
 * @gradient pickGrad
 */
function pick(x: number[], k: number): number {
  return x[k] * x[k] + 3 * x[0];
}

function pickGrad(x: number[], k: number): number[] {
  const g = x.map(() => 0);
  g[0] += 3;
  g[k] += 2 * x[k];
  return g;
}

/**
 * @differentiable
 * @wrt p
 */
function corner(p: [number, number, number], j: number): number {
  return p[j] * p[2];
}
`;
    const fa = analyzeFile(text, OPTIONS);
    const pick = fnNamed(fa, 'pick');
    assert.ok(pick.points.length > 0);
    for (const p of pick.points) assert.ok(Number.isInteger(p.k) && (p.k as number) >= 0 && (p.k as number) < (p.x as number[]).length);
    assert.equal(pick.check?.status, 'ok');
    const corner = fnNamed(fa, 'corner');
    assert.ok(corner.points.length > 0);
    for (const p of corner.points) assert.ok([0, 1, 2].includes(p.j as number), `j = ${String(p.j)} indexes the tuple`);
    assert.ok(!codes(fa).some((c) => c === 'GL001' || c === 'GL003' || c === 'GL006'), JSON.stringify(fa.diagnostics.map((d) => d.message)));
  });

  it('draws a loop bound as a count within the array it reads, and leaves a tolerance real', () => {
    const text = `
/**
 * @differentiable
 * @wrt x
 * @gradient headGrad
 */
function head(x: number[], n: number, tol: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  let y = s * s + 1;
  while (y > 1 + tol * tol) y = y / 2;
  return s + y;
}

function headGrad(x: number[], n: number, tol: number): number[] {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  let y = s * s + 1;
  let dy = 2 * s;
  while (y > 1 + tol * tol) { y = y / 2; dy = dy / 2; }
  return x.map((xi, i) => (i < n ? 2 * xi * (1 + dy) : 0));
}
`;
    const fa = analyzeFile(text, OPTIONS);
    const f = fnNamed(fa, 'head');
    assert.ok(f.points.length > 0);
    for (const p of f.points) assert.ok(Number.isInteger(p.n) && (p.n as number) >= 1 && (p.n as number) <= (p.x as number[]).length, `n = ${String(p.n)}`);
    assert.ok(f.points.some((p) => !Number.isInteger(p.tol)), 'tol is drawn as a real number');
    assert.ok(!codes(fa).some((c) => c === 'GL001' || c === 'GL006'), JSON.stringify(fa.diagnostics.map((d) => `${d.code} ${d.message}`)));
  });

  it('says a non-integer index is not an integer index (not out of bounds)', () => {
    const fa = analyzeFile(`
/**
 * @differentiable
 * @wrt x
 * @at x = [1, 2, 3, 4], k = 0.5
 */
function pick(x: number[], k: number): number {
  return x[k] * 2;
}
`, OPTIONS);
    const messages = fa.diagnostics.map((d) => d.message);
    assert.ok(messages.some((m) => /Index 0\.5 is not an integer index/.test(m)), JSON.stringify(messages));
    assert.ok(!messages.some((m) => /out of bounds/.test(m)), JSON.stringify(messages));
  });

  const stressFactory = (at: string) => `
export function makeStress(D: number[][]) {
  const n = D.length;

  /**
   * @differentiable
   * @wrt pos${at}
   * @gradient stressGrad
   */
  function stress(pos: number[]): number {
    let s = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pos[2 * i] - pos[2 * j];
        const dy = pos[2 * i + 1] - pos[2 * j + 1];
        const d = Math.sqrt(dx * dx + dy * dy);
        s += (d - D[i][j]) * (d - D[i][j]);
      }
    }
    return s;
  }

  function stressGrad(pos: number[]): number[] {
    const g: number[] = [];
    for (let k = 0; k < 2 * n; k++) g.push(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pos[2 * i] - pos[2 * j];
        const dy = pos[2 * i + 1] - pos[2 * j + 1];
        const d = Math.sqrt(dx * dx + dy * dy);
        const c = (2 * (d - D[i][j])) / d;
        g[2 * i] += c * dx;
        g[2 * i + 1] += c * dy;
        g[2 * j] -= c * dx;
        g[2 * j + 1] -= c * dy;
      }
    }
    return g;
  }

  return { stress, stressGrad };
}
`;

  it('computes a captured const from the factory input it reads (makeStress: n = D.length), no GL006', () => {
    const fa = analyzeFile(stressFactory('\n   * @at pos = [0, 0, 1, 0.2, 0.4, 1.1], D = [[0, 1, 1], [1, 0, 1.5], [1, 1.5, 0]]'), OPTIONS);
    const f = fnNamed(fa, 'makeStress.stress');
    assert.ok(!f.params.includes('n'), `n is computed from D, not an input: ${f.params.join(', ')}`);
    assert.ok(f.params.includes('D'));
    assert.ok(!codes(fa).some((c) => c === 'GL001' || c === 'GL006' || c === 'GL005'), JSON.stringify(fa.diagnostics.map((d) => `${d.code} ${d.message}`)));
    assert.ok(f.points.length > 0);
    assert.equal(f.check?.status, 'ok');
  });

  it('does not check at random points when array lengths are tied (pos holds 2 numbers per row of D): no false GL006', () => {
    const fa = analyzeFile(stressFactory(''), OPTIONS);
    assert.ok(!codes(fa).some((c) => c === 'GL001' || c === 'GL006'), JSON.stringify(fa.diagnostics.map((d) => `${d.code} ${d.message}`)));
    assert.equal(fnNamed(fa, 'makeStress.stress').points.length, 0);
  });
});
