// The live rows' peers (issue 15, item 6): what a user of jax-js or TensorFlow.js waits for on the
// same work as Gradlens's "open → diagnostics": the logistic loss of bench/live.mjs, from defining
// the gradient (`jit(grad(f))`, `tf.grad(f)`) to the first gradient read back, and a second call
// (compiled, warm). One peer per process, as bench/run.mjs runs them (jax-js's WebAssembly memory
// slows plain code in its process). Prints JSON: { peer, setup, rows: [{ samples, firstMs, nextMs }] }.
// Usage: node bench/livePeer.mjs <jax-jit | tfjs> <samples> [<samples> …]

import { performance } from 'node:perf_hooks';
import { liveLogisticData } from './lib/liveData.mjs';
import { METHODS } from './lib/methods.mjs';

const [peer, ...sizes] = process.argv.slice(2);
// The peers as the gradient-cost rows run them (bench/lib/methods.mjs): the same modules and options.
const PEERS = ['jax-jit', 'tfjs'];
const method = PEERS.includes(peer) ? METHODS.find((x) => x.id === peer) : undefined;
if (!method) throw new Error(`unknown peer '${peer}' (${PEERS.join(', ')})`);
const m = await import(`./methods/${method.module}`);
const setup = await m.setup(method.options);
const rows = [];
for (const samples of sizes.map(Number)) {
  const { w, X, y } = liveLogisticData(samples);
  // The full m × d matrix the loss reads cyclically (X[(i·d + j) mod nX]).
  const d = w.length;
  const full = new Array(samples * d);
  for (let k = 0; k < full.length; k++) full[k] = X[k % X.length];
  const t0 = performance.now();
  const prepared = m.prepare({ id: 'logistic', args: [w, full, y] });
  const first = prepared.run();
  const firstMs = performance.now() - t0;
  const t1 = performance.now();
  const next = prepared.run();
  const nextMs = performance.now() - t1;
  if (!first || !next) throw new Error('no gradient');
  rows.push({ samples, firstMs, nextMs });
}
process.stdout.write(JSON.stringify({ peer, setup, rows }));
