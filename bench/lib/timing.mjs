// Paired timing: the machine's speed drifts (up to 2× within seconds), so a method's batches are
// interleaved with batches of the plain function in the same process, and only the per-batch
// ratio method ÷ function is trusted; its median is what the bench reports.

import { performance } from 'node:perf_hooks';

/** Results go here so that the optimiser cannot drop a call whose value is unused. */
export let sink = null;

function runBatch(fn, reps) {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) sink = fn();
  return (performance.now() - t0) / reps;
}

/** Runs `fn` for about `ms` (at least 3 calls) to let V8 compile it; returns ms per call of the second half. */
function warmUp(fn, ms) {
  const t0 = performance.now();
  let calls = 0;
  let lastHalfStart = t0;
  let lastHalfCalls = 0;
  while (calls < 3 || performance.now() - t0 < ms) {
    sink = fn();
    calls++;
    if (performance.now() - t0 < ms / 2) {
      lastHalfStart = performance.now();
      lastHalfCalls = 0;
    } else {
      lastHalfCalls++;
    }
    if (performance.now() - t0 > 10 * ms) break; // one very slow call: enough
  }
  const elapsed = performance.now() - lastHalfStart;
  return lastHalfCalls > 0 ? elapsed / lastHalfCalls : (performance.now() - t0) / calls;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Interleaves batches of `baseline` (the plain function) and `method`, alternating which goes
 * first, each batch lasting about `batchMs`. Stops after `maxBatches`, or after `budgetMs` once
 * `minBatches` are done.
 */
export function pairedTiming(baseline, method, { batchMs = 3, minBatches = 9, maxBatches = 301, budgetMs = 3000, warmupMs = 150 } = {}) {
  const perCallF = warmUp(baseline, warmupMs);
  const perCallM = warmUp(method, warmupMs);
  const repsF = Math.max(1, Math.round(batchMs / perCallF));
  const repsM = Math.max(1, Math.round(batchMs / perCallM));
  const needed = perCallM > 200 ? 3 : minBatches;
  const functionMs = [];
  const methodMs = [];
  const ratios = [];
  const t0 = performance.now();
  for (let b = 0; b < maxBatches; b++) {
    if (b >= needed && performance.now() - t0 > budgetMs) break;
    let tf;
    let tm;
    if (b % 2 === 0) {
      tf = runBatch(baseline, repsF);
      tm = runBatch(method, repsM);
    } else {
      tm = runBatch(method, repsM);
      tf = runBatch(baseline, repsF);
    }
    functionMs.push(tf);
    methodMs.push(tm);
    ratios.push(tm / tf);
  }
  return {
    functionMs: median(functionMs),
    methodMs: median(methodMs),
    ratio: median(ratios),
    ratioQ1: quantile(ratios, 0.25),
    ratioQ3: quantile(ratios, 0.75),
    batches: ratios.length,
    repsPerBatch: { function: repsF, method: repsM },
  };
}
