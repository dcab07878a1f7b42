// Functions the code generators must round-trip: every construct of the differentiable subset.

import type { Arg } from './harness';

export interface CodegenFixture {
  name: string;
  fn: string;
  src: string;
  /** Argument values, keyed by parameter name, in parameter order. */
  point: Record<string, Arg>;
  /** The differentiated parameters, when the engine cannot tell us (points it cannot take). */
  wrt?: string[];
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

export const FIXTURES: CodegenFixture[] = [
  {
    name: 'Rosenbrock (2-D)', fn: 'rosenbrock', point: { x: 1.5, y: -0.25 },
    src: `/**
 * @differentiable
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
`,
  },
  {
    name: 'Rosenbrock (n-D, loop over an array)', fn: 'rosenbrockN', point: { x: range(6, (i) => 0.3 * i - 0.7) },
    src: `/** @differentiable */
export function rosenbrockN(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}
`,
  },
  {
    name: 'logistic loss (nested loops, data held constant)', fn: 'logistic',
    point: { w: [0.5, -0.25, 0.1], X: [1, 0.2, -1.3, 1, -0.7, 0.4, 1, 1.5, 0.9, 1, -0.3, -0.8], y: [1, 0, 1, 0] },
    src: `/**
 * @differentiable
 * @wrt w
 */
export function logistic(w: number[], X: number[], y: number[]): number {
  const d = w.length;
  const m = y.length;
  let loss = 0;
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      z += X[i * d + j] * w[j];
    }
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    loss += softplus - y[i] * z;
  }
  return loss / m;
}
`,
  },
  {
    name: 'MLP 3-4-1 tanh', fn: 'mlp',
    point: { W1: range(12, (i) => Math.sin(i + 1) * 0.5), b1: [0.1, -0.2, 0.3, 0], W2: [0.5, -0.4, 0.3, 0.2], b2: 0.1, X: range(9, (i) => Math.cos(i) * 0.7), y: [0.3, -0.2, 0.5] },
    src: `/**
 * @differentiable
 * @wrt W1, b1, W2, b2
 */
export function mlp(W1: number[], b1: number[], W2: number[], b2: number, X: number[], y: number[]): number {
  const hidden = b1.length;
  const inputs = W1.length / hidden;
  const m = y.length;
  let loss = 0;
  for (let s = 0; s < m; s++) {
    let out = b2;
    for (let j = 0; j < hidden; j++) {
      let a = b1[j];
      for (let i = 0; i < inputs; i++) {
        a += W1[j * inputs + i] * X[s * inputs + i];
      }
      out += W2[j] * Math.tanh(a);
    }
    const r = out - y[s];
    loss += r * r;
  }
  return loss / m;
}
`,
  },
  {
    name: 'GMM (helper with a branch, local arrays overwritten in loops)', fn: 'gmm',
    point: { alphas: [0.1, -0.3, 0.2], means: [0.5, -0.2, 0.1, 0.3, -0.4, 0.6], icf: [0.1, -0.2, 0.3, 0.05, 0.2, -0.1, 0.15, -0.3, 0.25], x: [0.3, 0.1, -0.5, 0.7, 0.2, -0.1, 0.9, 0.4], wishartGamma: 1, wishartM: 0 },
    src: `export function logsumexp(v: number[]): number {
  let mx = v[0];
  for (let i = 1; i < v.length; i++) {
    if (v[i] > mx) mx = v[i];
  }
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += Math.exp(v[i] - mx);
  }
  return Math.log(s) + mx;
}

/**
 * @differentiable
 * @wrt alphas, means, icf
 */
export function gmm(alphas: number[], means: number[], icf: number[], x: number[], wishartGamma: number, wishartM: number): number {
  const K = alphas.length;
  const D = means.length / K;
  const icfSize = icf.length / K;
  const N = x.length / D;
  const qdiag = new Array(K * D).fill(0);
  const sumQ = new Array(K).fill(0);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < D; r++) {
      qdiag[k * D + r] = Math.exp(icf[k * icfSize + r]);
      sumQ[k] += icf[k * icfSize + r];
    }
  }
  const mainTerm = new Array(K).fill(0);
  const xc = new Array(D).fill(0);
  const qx = new Array(D).fill(0);
  let slse = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < D; r++) {
        xc[r] = x[i * D + r] - means[k * D + r];
        qx[r] = qdiag[k * D + r] * xc[r];
      }
      let l = k * icfSize + D;
      for (let c = 0; c < D; c++) {
        for (let r = c + 1; r < D; r++) {
          qx[r] += icf[l] * xc[c];
          l++;
        }
      }
      let sq = 0;
      for (let r = 0; r < D; r++) {
        sq += qx[r] * qx[r];
      }
      mainTerm[k] = alphas[k] + sumQ[k] - 0.5 * sq;
    }
    slse += logsumexp(mainTerm);
  }
  let prior = 0;
  for (let k = 0; k < K; k++) {
    let frobenius = 0;
    for (let r = 0; r < D; r++) {
      frobenius += qdiag[k * D + r] * qdiag[k * D + r];
    }
    for (let l = k * icfSize + D; l < (k + 1) * icfSize; l++) {
      frobenius += icf[l] * icf[l];
    }
    prior += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQ[k];
  }
  const constant = -N * D * 0.5 * Math.log(2 * Math.PI);
  return constant + slse - N * logsumexp(alphas) + prior;
}
`,
  },
  {
    name: 'branches, nested, with reassignment', fn: 'branchy', point: { x: 0.7, y: -1.2 },
    src: `/** @differentiable */
export function branchy(x: number, y: number): number {
  let z = x * y;
  if (x > 0) {
    z = z * Math.sin(x);
    if (y < 0) {
      z += y * y;
    } else {
      z -= Math.exp(y);
    }
  } else {
    z = Math.cos(z);
  }
  return z * z + x;
}
`,
  },
  {
    name: 'early return at the top level', fn: 'early', point: { x: 0.4, y: 2 },
    src: `/** @differentiable */
export function early(x: number, y: number): number {
  if (x < 0) return -x * y;
  const t = Math.exp(x) * y;
  if (t > 100) {
    return Math.log(t);
  }
  return t * x;
}
`,
  },
  {
    name: 'loop with break', fn: 'withBreak', point: { x: [0.5, 0.8, 1.1, 0.9, 1.4] },
    src: `/** @differentiable */
export function withBreak(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    if (s > 1.5) break;
  }
  return s * s;
}
`,
  },
  {
    name: 'loop with continue', fn: 'withContinue', point: { x: [0.5, -0.8, 1.1, -0.9, 1.4] },
    src: `/** @differentiable */
export function withContinue(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < 0) continue;
    s += Math.exp(x[i]) * x[i];
  }
  return s;
}
`,
  },
  {
    name: 'early return inside a loop', fn: 'firstLarge', point: { x: [0.2, 0.5, 1.7, 0.3], threshold: 1 },
    src: `/**
 * @differentiable
 * @wrt x
 */
export function firstLarge(x: number[], threshold: number): number {
  let acc = 0;
  for (let i = 0; i < x.length; i++) {
    acc += Math.sin(x[i]);
    if (x[i] > threshold) {
      return acc * x[i];
    }
  }
  return acc;
}
`,
  },
  {
    name: 'while loop with a product (values saved on a stack)', fn: 'product', point: { x: [1.1, 0.9, 1.3, 0.7], n: 3 },
    src: `/**
 * @differentiable
 * @wrt x
 */
export function product(x: number[], n: number): number {
  let p = 1;
  let i = 0;
  while (i < n) {
    p = p * x[i] + Math.sin(p);
    i++;
  }
  return p;
}
`,
  },
  {
    name: 'for…of', fn: 'weighted', point: { x: [0.3, -1.2, 2], w: 0.7 },
    src: `/** @differentiable */
export function weighted(x: number[], w: number): number {
  let s = 0;
  for (const v of x) {
    s += v * v * w + Math.cos(v * w);
  }
  return s;
}
`,
  },
  {
    name: 'array literal, fill, Float64Array, push, element writes', fn: 'arrays', point: { x: 0.6, y: -0.4 },
    src: `/** @differentiable */
export function arrays(x: number, y: number): number {
  const a = [x, y, x * y];
  const b = new Array(3).fill(0);
  for (let i = 0; i < 3; i++) {
    b[i] = a[i] * 2 + b[i];
  }
  const f = new Float64Array(2);
  f[0] = Math.sin(b[0]);
  f[1] = f[0] * b[1];
  f[0] = f[0] * f[0];
  const c: number[] = [];
  c.push(b[2]);
  c.push(Math.exp(f[1]));
  return c[0] + c[1] + f[0] + a.length;
}
`,
  },
  {
    name: 'helpers: differentiated through, @derivative rule, @nondifferentiable', fn: 'useHelpers', point: { x: 0.8, y: 1.3 },
    src: `/** @derivative softplusD */
export function softplus(z: number): number {
  return Math.log1p(Math.exp(z));
}

export function softplusD(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** @nondifferentiable */
export function bucket(v: number): number {
  return Math.floor(v * 3);
}

export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** @differentiable */
export function useHelpers(x: number, y: number): number {
  const s = softplus(x * y);
  const k = bucket(x);
  return lerp(s, y * y, x) * (k + 1) + lerp(x, y, 0.25);
}
`,
  },
  {
    name: 'tuple parameter, ternary, min/max/abs', fn: 'tupled', point: { p: [0.3, -0.8], c: 1.5 },
    src: `/** @differentiable */
export function tupled(p: [number, number], c: number): number {
  const m = Math.max(p[0], p[1]) * c;
  const n = Math.min(Math.abs(p[1]), 2);
  return p[0] > 0 ? m * n + Math.hypot(p[0], p[1]) : m - n;
}
`,
  },
  {
    name: 'vector-valued (a Jacobian)', fn: 'polar', point: { r: 1.5, theta: 0.4 },
    src: `/** @differentiable */
export function polar(r: number, theta: number): number[] {
  return [r * Math.cos(theta), r * Math.sin(theta), r * r];
}
`,
  },
  {
    name: 'compound operators and do…while', fn: 'compound', point: { x: 1.3, y: 0.4 },
    src: `/** @differentiable */
export function compound(x: number, y: number): number {
  let s = x;
  let k = 0;
  do {
    s *= y + 1;
    s /= 1 + x * x;
    s -= Math.sqrt(x) ** 1.5;
    k++;
  } while (k < 3);
  return s + x % 0.5;
}
`,
  },
  {
    name: 'helper returning an array, matrix data', fn: 'scaled', wrt: ['v', 'c'], point: { v: [0.5, -1, 2], c: 0.3, M: [[1, 2, 3], [0.5, -1, 0.25]] as unknown as number[] },
    src: `export function scale(v: number[], c: number): number[] {
  return v.map((e, i) => e * c + i);
}

/**
 * @differentiable
 * @wrt v, c
 */
export function scaled(v: number[], c: number, M: number[][]): number {
  const s = scale(v, c);
  let out = 0;
  for (let r = 0; r < M.length; r++) {
    const row = M[r];
    for (let j = 0; j < row.length; j++) {
      out += row[j] * s[j] * s[j];
    }
  }
  return out;
}
`,
  },
  {
    name: 'one dense tanh layer', fn: 'dense', point: { W: range(6, (i) => Math.cos(i) * 0.4), b: [0.1, -0.2], x: [0.5, -0.3, 0.8] },
    src: `/**
 * One dense layer with tanh units, summed.
 * @differentiable
 * @wrt W, b
 */
export function dense(W: number[], b: number[], x: number[]): number {
  let out = 0;
  for (let j = 0; j < b.length; j++) {
    let z = b[j];
    for (let i = 0; i < x.length; i++) {
      z += W[j * x.length + i] * x[i];
    }
    out += Math.tanh(z);
  }
  return out;
}
`,
  },
  {
    name: 'repeated nonlinear update of a scalar', fn: 'iterate', point: { x: 0.3, y: 0.9 },
    src: `/** @differentiable */
export function iterate(x: number, y: number): number {
  let s = x;
  for (let i = 0; i < 4; i++) {
    s = Math.sin(s) * y + s / (1 + i);
  }
  return s;
}
`,
  },
  {
    // the values saved in the nest go on Float64Arrays sized before it (the start `c + 1` bounds the
    // triangular loop's share), those of the helper's pullback on preallocated plain arrays
    name: 'a triangular loop nest calling a helper with a branch per element (sized stacks)', fn: 'mixture',
    point: { alphas: [0.2, -0.4, 0.9], means: range(6, (i) => Math.sin(i + 1)), icf: range(9, (i) => 0.3 * Math.cos(2 * i)), x: range(8, (i) => Math.cos(3 * i) * 1.5) },
    src: `/** log Σ exp(v[i]), shifted by the maximum. */
export function logsumexp(v: number[]): number {
  let mx = v[0];
  for (let i = 1; i < v.length; i++) {
    if (v[i] > mx) mx = v[i];
  }
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += Math.exp(v[i] - mx);
  }
  return Math.log(s) + mx;
}

/**
 * @differentiable
 * @wrt alphas, means, icf
 */
export function mixture(alphas: number[], means: number[], icf: number[], x: number[]): number {
  const K = alphas.length;
  const D = means.length / K;
  const icfSize = icf.length / K;
  const N = x.length / D;
  const term = new Array(K).fill(0);
  const xc = new Array(D).fill(0);
  const qx = new Array(D).fill(0);
  let total = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < D; r++) {
        xc[r] = x[i * D + r] - means[k * D + r];
        qx[r] = Math.exp(icf[k * icfSize + r]) * xc[r];
      }
      let l = k * icfSize + D;
      for (let c = 0; c < D; c++) {
        for (let r = c + 1; r < D; r++) {
          qx[r] += icf[l] * xc[c];
          l++;
        }
      }
      let sq = 0;
      for (let r = 0; r < D; r++) {
        sq += qx[r] * qx[r];
      }
      term[k] = alphas[k] - 0.5 * sq;
    }
    total += logsumexp(term);
  }
  return total;
}
`,
  },
  {
    // b[r] read right after its store is recomputed from a and i; c[r] is overwritten later, so a
    // value reading it is saved
    name: 'elements read right after their store, recomputed or saved', fn: 'storeThenRead', point: { a: [0.3, -0.7, 1.1] },
    src: `/** @differentiable */
export function storeThenRead(a: number[]): number {
  const b = new Array(3).fill(0);
  const c = new Array(3).fill(0);
  let s = 0;
  for (let i = 0; i < 4; i++) {
    for (let r = 0; r < 3; r++) {
      b[r] = a[r] * i + a[(r + 1) % 3];
      s += b[r] * b[r] * a[r];
      c[r] = a[r] * i - c[r] * 0.5;
      s += c[r] * c[r] * a[r];
    }
  }
  return s;
}
`,
  },
  {
    // f[c] is recomputed from the loop that filled f; b's store reads shift, changed since, and e is
    // written in between: those are saved
    name: 'elements written by an earlier loop, read in a later one', fn: 'loopThenRead', point: { a: [0.3, -0.7, 1.1] },
    src: `/** @differentiable */
export function loopThenRead(a: number[]): number {
  const b = new Array(3).fill(0);
  const e = new Array(3).fill(0);
  const f = new Array(3).fill(0);
  let shift = 0;
  let s = 0;
  for (let i = 0; i < 3; i++) {
    for (let r = 0; r < 3; r++) {
      b[r] = a[r] * i - shift;
      e[r] = a[r] + i;
      f[r] = a[r] * i;
    }
    shift += 0.5;
    e[1] = e[0] * 2;
    for (let c = 0; c < 3; c++) {
      s += b[c] * b[c] * a[c] + e[c] * e[c] * a[c] + f[c] * f[c] * a[c];
    }
  }
  return s;
}
`,
  },
  {
    // the helper's loop bound v.length / 2 is not an integer: its pullback pushes (new Array(2.5) would throw)
    name: 'a helper looping to a non-integer bound, called in a loop', fn: 'halves', point: { a: [0.3, -0.7, 1.1] },
    src: `function firstHalfExp(v: number[]): number {
  let s = 0;
  for (let i = 0; i < v.length / 2; i++) {
    s += Math.exp(v[i]);
  }
  return s;
}

/** @differentiable */
export function halves(a: number[]): number {
  let s = 0;
  for (let k = 0; k < 3; k++) {
    s += firstHalfExp(a) * k;
  }
  return s;
}
`,
  },
  // first writes of an adjoint array made plain stores (firstWrites.ts): where the rule applies and where it must not
  {
    name: 'fresh stores: a stencil over offsets -1, 0, 1 (first store at i - 1, zero fill kept)', fn: 'stencil', point: { x: range(7, (i) => Math.cos(i) - 0.2) },
    src: `/** @differentiable */
export function stencil(x: number[]): number {
  let s = 0;
  for (let i = 1; i < x.length - 1; i++) {
    const c = x[i - 1] * x[i] - x[i + 1];
    s += c * c + x[i - 1];
  }
  return s;
}
`,
  },
  {
    name: 'fresh stores: not when the adjoint is written before the loop in the reverse sweep', fn: 'writeBeforeLoop', point: { x: range(5, (i) => 0.4 * i - 0.9) },
    src: `/** @differentiable */
export function writeBeforeLoop(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
  }
  s += 3 * x[1] * x[0];
  return s;
}
`,
  },
  {
    name: 'fresh stores: not at a non-affine index', fn: 'evenOdd', point: { x: range(6, (i) => Math.sin(i + 0.5)) },
    src: `/** @differentiable */
export function evenOdd(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length / 2; i++) {
    s += x[2 * i] * x[i];
  }
  return s;
}
`,
  },
  {
    name: 'fresh stores: the same element written by two statements, a value changing in between', fn: 'twiceSameOffset', point: { x: range(5, (i) => 0.3 * i + 0.1) },
    src: `/** @differentiable */
export function twiceSameOffset(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    let t = x[i] * 2;
    t = t * x[i] + Math.sin(t);
    s += t * x[i];
  }
  return s;
}
`,
  },
  {
    name: 'fresh stores: not in a loop with continue or break', fn: 'jumps', point: { x: [0.5, -0.3, 0.8, 1.4, -0.2, 2.5, 0.1] },
    src: `/** @differentiable */
export function jumps(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < 0) continue;
    s += x[i] * x[i];
  }
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 2) break;
    s += Math.exp(x[i]);
  }
  return s;
}
`,
  },
];
