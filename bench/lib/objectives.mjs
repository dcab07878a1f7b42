// The objectives of SPEC §7: their TypeScript source (bench/objectives/*.ts, in Gradlens's
// differentiable subset), the seeded data they run on, and helpers to load compiled code and to
// compare gradients.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { makeRng } from './rng.mjs';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = join(BENCH_DIR, '..');
export const BUILD_DIR = join(BENCH_DIR, '.build');
const require = createRequire(import.meta.url);

/**
 * Each objective: its source file, function and hand-written gradient names, its parameters
 * (`arr` or `num`, and whether differentiated), and a seeded data generator returning the
 * arguments in parameter order.
 */
export const OBJECTIVES = [
  {
    id: 'rosenbrock',
    title: 'Rosenbrock, n = 1000',
    file: 'rosenbrock.ts',
    fn: 'rosenbrock',
    grad: 'rosenbrockGrad',
    params: [{ name: 'x', kind: 'arr', wrt: true }],
    makeArgs() {
      const rng = makeRng(1);
      return [rng.uniforms(1000, -1.5, 1.5)];
    },
  },
  {
    id: 'logistic',
    title: 'logistic regression, d = 50, m = 1000',
    file: 'logistic.ts',
    fn: 'logistic',
    grad: 'logisticGrad',
    params: [
      { name: 'w', kind: 'arr', wrt: true },
      { name: 'X', kind: 'arr', wrt: false },
      { name: 'y', kind: 'arr', wrt: false },
    ],
    makeArgs() {
      const rng = makeRng(2);
      const d = 50;
      const m = 1000;
      const X = rng.normals(m * d);
      const wTrue = rng.normals(d, 0.5);
      const y = [];
      for (let i = 0; i < m; i++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += X[i * d + j] * wTrue[j];
        y.push(rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
      }
      return [rng.normals(d, 0.1), X, y];
    },
  },
  {
    id: 'mlp',
    title: 'MLP 10-32-1 tanh, 100 samples',
    file: 'mlp.ts',
    fn: 'mlp',
    grad: 'mlpGrad',
    params: [
      { name: 'W1', kind: 'arr', wrt: true },
      { name: 'b1', kind: 'arr', wrt: true },
      { name: 'W2', kind: 'arr', wrt: true },
      { name: 'b2', kind: 'num', wrt: true },
      { name: 'X', kind: 'arr', wrt: false },
      { name: 'y', kind: 'arr', wrt: false },
    ],
    makeArgs() {
      const rng = makeRng(3);
      const inputs = 10;
      const hidden = 32;
      const m = 100;
      const X = rng.normals(m * inputs);
      const y = [];
      for (let s = 0; s < m; s++) y.push(Math.sin(X[s * inputs]) + 0.5 * X[s * inputs + 1] * X[s * inputs + 2]);
      return [rng.normals(hidden * inputs, 1 / Math.sqrt(inputs)), rng.normals(hidden, 0.1), rng.normals(hidden, 1 / Math.sqrt(hidden)), 0.1, X, y];
    },
  },
  {
    id: 'gmm',
    title: 'GMM (ADBench), d = 2, k = 5, n = 1000',
    file: 'gmm.ts',
    fn: 'gmm',
    grad: 'gmmGrad',
    params: [
      { name: 'alphas', kind: 'arr', wrt: true },
      { name: 'means', kind: 'arr', wrt: true },
      { name: 'icf', kind: 'arr', wrt: true },
      { name: 'x', kind: 'arr', wrt: false },
      { name: 'wishartGamma', kind: 'num', wrt: false },
      { name: 'wishartM', kind: 'num', wrt: false },
    ],
    makeArgs() {
      const rng = makeRng(4);
      const d = 2;
      const k = 5;
      const n = 1000;
      const icfSize = (d * (d + 1)) / 2;
      // ADBench's wishart defaults: gamma = 1, m = 0
      return [rng.normals(k), rng.normals(k * d, 2), rng.normals(k * icfSize, 0.5), rng.normals(n * d, 2), 1, 0];
    },
  },
  {
    id: 'rosenbrock2',
    title: 'Rosenbrock 2-D (small scalar)',
    file: 'rosenbrock2.ts',
    fn: 'rosenbrock2',
    grad: 'rosenbrock2Grad',
    params: [
      { name: 'x', kind: 'num', wrt: true },
      { name: 'y', kind: 'num', wrt: true },
    ],
    makeArgs() {
      return [-1.2, 1];
    },
  },
];

export function objectiveSource(obj) {
  return readFileSync(join(BENCH_DIR, 'objectives', obj.file), 'utf8');
}

/** Transpiles TypeScript (our objectives, or Gradlens's generated code) to a CommonJS module and loads it. */
export function loadTypeScript(source, cacheName, extraExports = []) {
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
    fileName: cacheName + '.ts',
  });
  const syntaxErrors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxErrors.length > 0) {
    throw new Error('does not compile: ' + ts.flattenDiagnosticMessageText(syntaxErrors[0].messageText, ' '));
  }
  let js = out.outputText;
  for (const name of extraExports) js += `\nmodule.exports[${JSON.stringify(name)}] = ${name};\n`;
  mkdirSync(BUILD_DIR, { recursive: true });
  const path = join(BUILD_DIR, cacheName + '.cjs');
  writeFileSync(path, js);
  return require(path);
}

export function loadObjective(obj) {
  const mod = loadTypeScript(objectiveSource(obj), 'objective.' + obj.id);
  const args = obj.makeArgs();
  return { ...obj, source: objectiveSource(obj), f: mod[obj.fn], g: mod[obj.grad], args, module: mod };
}

export const wrtParams = (obj) => obj.params.filter((p) => p.wrt);

/** Number of differentiated scalar components at these arguments. */
export function wrtSize(obj, args) {
  let n = 0;
  obj.params.forEach((p, i) => {
    if (p.wrt) n += p.kind === 'arr' ? args[i].length : 1;
  });
  return n;
}

/**
 * Any gradient in SPEC §1's shapes (number, array, tuple in @wrt order, object keyed by
 * parameter name) flattened to one Float64Array in @wrt order.
 */
export function flattenGradient(obj, g) {
  const wrt = wrtParams(obj);
  let parts;
  const keyed = g != null && typeof g === 'object' && !Array.isArray(g) && !ArrayBuffer.isView(g);
  if (keyed) parts = wrt.map((p) => g[p.name]);
  else if (wrt.length === 1) parts = [g];
  else if (Array.isArray(g) || ArrayBuffer.isView(g)) parts = Array.from(g);
  else throw new Error(`gradient has an unexpected shape (${typeof g})`);
  if (parts.length !== wrt.length) throw new Error(`gradient has ${parts.length} parts, expected ${wrt.length}`);
  const flat = [];
  parts.forEach((part, i) => {
    if (typeof part === 'number') flat.push(part);
    else if (part != null && (Array.isArray(part) || ArrayBuffer.isView(part))) for (const v of part) flat.push(Number(v));
    else throw new Error(`gradient part ${wrt[i].name} has an unexpected shape`);
  });
  return Float64Array.from(flat);
}

/** Normwise relative error max |g − ref| / max |ref|: cancellation in one component cannot inflate it. */
export function relativeError(g, ref) {
  if (g.length !== ref.length) return { error: Infinity, reason: `length ${g.length}, expected ${ref.length}` };
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(g[i] - ref[i]);
    if (Number.isNaN(d)) return { error: NaN, reason: `component ${i} is NaN` };
    if (d > diff) diff = d;
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { error: diff / Math.max(scale, 1e-300), reason: null };
}

/** A closure calling fn with these arguments without a spread on every call (it matters for tiny functions). */
export function bindArgs(fn, args) {
  const [a, b, c, d, e, f] = args;
  switch (args.length) {
    case 1: return () => fn(a);
    case 2: return () => fn(a, b);
    case 3: return () => fn(a, b, c);
    case 4: return () => fn(a, b, c, d);
    case 5: return () => fn(a, b, c, d, e);
    case 6: return () => fn(a, b, c, d, e, f);
    default: return () => fn(...args);
  }
}
