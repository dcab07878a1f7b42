// The live rows (issue 15): what the editor waits for, in-process, no LSP.
//
// 1. Open → diagnostics ÷ plain function: `analyzeFile` on a file holding a logistic-regression loss
//    (d = 100 features; m samples scaled so that one run of the loss is 10⁴ … 10⁷ operations, as the
//    interpreter counts them: every arithmetic operation and Math call, index arithmetic included;
//    X is read cyclically from at most 10,000 numbers so that the @at point stays within the
//    check-point budget) and its correct hand-written gradient, divided by one call of the loss as
//    plain JavaScript on the same data. Settings: stepBudget 50,000,000 (the ceiling), timeBudgetMs
//    10,000 (the ceiling), so the figures show the work, and a GL007 says the budget still ran out.
//    Beside it, jax-js `jit(grad)` and TensorFlow.js `tf.grad` on the same data (bench/livePeer.mjs):
//    definition to first gradient, and a second call.
// 2. Wrong gradients: a chain function of n = 10 … 10,000 components whose hand-written gradient
//    misses a term on every second component; the time until `analyzeFile` returns the GL001.
//
// Each analysis is of a function the process has not seen (a fresh name: no cache of Gradlens
// helps), after one warm-up analysis of another file; medians of 3. (The code compiled for the
// loss is the same text for every name, so V8 may reuse what it compiled for an earlier analysis,
// until its next full garbage collection.)
// Usage: node bench/live.mjs <out.json> [engine module, default bench/.build/engine.cjs]

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import { BENCH_DIR, BUILD_DIR } from './lib/objectives.mjs';
import { liveLogisticData, LIVE_FEATURES } from './lib/liveData.mjs';
import { median } from './lib/timing.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const enginePath = process.argv[3] ?? join(BUILD_DIR, 'engine.cjs');
const result = { available: false, reason: null, logistic: [], wrong: [] };
const save = () => writeFileSync(outPath, JSON.stringify(result, null, 1));
const OPTIONS = { stepBudget: 50_000_000, timeBudgetMs: 10_000 };
const D = LIVE_FEATURES;
/** Operations of one sample of the loss (the dot product's 6 per feature: index arithmetic, multiply, add, loop counter; then the softplus and the sum). */
const OPS_PER_SAMPLE = 6 * D + 8;
let fresh = 0;

function logisticSource(name, m) {
  const { w, X, y } = liveLogisticData(m);
  const text = `/**
 * @differentiable
 * @wrt w
 * @gradient ${name}Grad
 * @at w = [${w.join(', ')}], X = [${X.join(', ')}], y = [${y.join(', ')}]
 */
export function ${name}(w: number[], X: number[], y: number[]): number {
  const d = w.length;
  const m = y.length;
  const nX = X.length;
  let total = 0;
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[(i * d + j) % nX] * w[j];
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    total += softplus - y[i] * z;
  }
  return total / m;
}

export function ${name}Grad(w: number[], X: number[], y: number[]): number[] {
  const d = w.length;
  const m = y.length;
  const nX = X.length;
  const g = new Array(d).fill(0);
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[(i * d + j) % nX] * w[j];
    const r = (1 / (1 + Math.exp(-z)) - y[i]) / m;
    for (let j = 0; j < d; j++) g[j] += r * X[(i * d + j) % nX];
  }
  return g;
}
`;
  return { text, args: [w, X, y] };
}

function chainSource(name, n) {
  const w = Array.from({ length: n }, (_, i) => Number((Math.sin(i * 1.7) * 0.8).toFixed(3)));
  return `/**
 * @differentiable
 * @gradient ${name}Grad
 * @at w = [${w.join(', ')}]
 */
export function ${name}(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += (w[i] - 0.5) * (w[i] - 0.5);
    if (i + 1 < w.length) s += Math.sin(w[i] * w[i + 1]);
  }
  return s;
}

export function ${name}Grad(w: number[]): number[] {
  const n = w.length;
  const g = new Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    g[i] += 2 * (w[i] - 0.5);
    if (i + 1 < n) {
      const c = Math.cos(w[i] * w[i + 1]);
      g[i] += c * w[i + 1];
      if (i % 2 === 0) g[i + 1] += c * w[i];
    }
  }
  return g;
}
`;
}

/** Milliseconds per call of the loss as plain JavaScript (the TypeScript source transpiled), median of batches of ≥ 50 ms. */
function plainMs(text, name, args) {
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const mod = { exports: {} };
  new Function('module', 'exports', js)(mod, mod.exports);
  const f = mod.exports[name];
  let sink = 0;
  for (let i = 0; i < 5; i++) sink += f(...args);
  const batches = [];
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    let calls = 0;
    while (performance.now() - t0 < 50) { sink += f(...args); calls++; }
    batches.push((performance.now() - t0) / calls);
  }
  if (Number.isNaN(sink)) throw new Error('the plain loss is NaN');
  return median(batches);
}

function timed(engine, text) {
  const t0 = performance.now();
  const fa = engine.analyzeFile(text, OPTIONS);
  return { ms: performance.now() - t0, codes: [...new Set(fa.diagnostics.map((d) => d.code))].sort() };
}

try {
  const engine = require(enginePath);
  engine.analyzeFile(chainSource('warmUp', 50), OPTIONS);
  for (const ops of [1e4, 1e5, 1e6, 1e7]) {
    const m = Math.max(2, Math.round(ops / OPS_PER_SAMPLE));
    const runs = [];
    let plain = null;
    for (let r = 0; r < 3; r++) {
      const name = `loss${fresh++}`;
      const { text, args } = logisticSource(name, m);
      if (plain === null) plain = plainMs(text, name, args);
      runs.push(timed(engine, text));
      // one slow analysis is enough to know it is slow
      if (runs[0].ms > 8_000) break;
    }
    const ms = median(runs.map((x) => x.ms));
    result.logistic.push({ operations: m * OPS_PER_SAMPLE, samples: m, plainMs: plain, analysisMs: ms, ratio: ms / plain, diagnostics: runs[0].codes });
    save();
  }
  // The peers on the same work, each in a process of its own (bench/livePeer.mjs).
  result.peers = {};
  for (const peer of ['jax-jit', 'tfjs']) {
    const r = spawnSync(process.execPath, [join(BENCH_DIR, 'livePeer.mjs'), peer, ...result.logistic.map((x) => String(x.samples))], { encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 26 });
    try {
      // (TensorFlow.js may print a banner first: the report is the last line)
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      result.peers[peer] = out.rows.map((row, i) => ({ ...row, firstRatio: row.firstMs / result.logistic[i].plainMs, nextRatio: row.nextMs / result.logistic[i].plainMs }));
    } catch {
      result.peers[peer] = { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-1)[0] };
    }
    save();
  }
  for (const n of [10, 100, 1000, 10000]) {
    const runs = [];
    for (let r = 0; r < 3; r++) {
      runs.push(timed(engine, chainSource(`chain${fresh++}`, n)));
      if (runs[0].ms > 8_000) break;
    }
    result.wrong.push({ components: n, ms: median(runs.map((x) => x.ms)), diagnostics: runs[0].codes });
    save();
  }
  result.available = true;
} catch (e) {
  result.reason = e.message.split('\n')[0];
}
save();
