// Every method the bench measures. Each runs in a child process of its own (bench/child.mjs).
// `tolerance` is the normwise relative error allowed against the hand-written gradient before the
// bench refuses to report a method: tight for exact float64 derivatives, looser (and labelled)
// for finite differences and for float32 peers.

// jax-js's float64 results differ from exact ones by ~3e-8 (its wasm kernels' transcendentals, it seems).
export const TOLERANCE = { exact64: 1e-8, jax64: 1e-6, fd: 1e-5, float32: 5e-3 };

export const METHODS = [
  { id: 'function', label: 'plain function (vs itself: noise floor)', module: 'plain.mjs', options: { which: 'function' }, tolerance: null },
  { id: 'hand', label: 'hand-written gradient', module: 'plain.mjs', options: { which: 'hand' }, tolerance: TOLERANCE.exact64 },
  { id: 'gradlens-reverse', label: 'Gradlens generated reverse mode', module: 'gradlens.mjs', options: { mode: 'reverse' }, tolerance: TOLERANCE.exact64 },
  { id: 'gradlens-jvp', label: 'Gradlens generated JVP (one direction)', module: 'gradlens.mjs', options: { mode: 'jvp' }, tolerance: TOLERANCE.exact64 },
  { id: 'gradlens-tape', label: 'Gradlens runtime tape', module: 'gradlens.mjs', options: { mode: 'tape' }, tolerance: TOLERANCE.exact64 },
  { id: 'fd', label: 'central finite differences', module: 'fd.mjs', options: {}, tolerance: TOLERANCE.fd },
  { id: 'tfjs', label: 'TensorFlow.js tf.grad (cpu backend)', module: 'tfjs.mjs', options: {}, tolerance: TOLERANCE.float32 },
  { id: 'jax-grad', label: 'jax-js grad (wasm)', module: 'jax.mjs', options: { jit: false, dtype: 'float32' }, tolerance: TOLERANCE.float32 },
  { id: 'jax-jit', label: 'jax-js jit(grad) (wasm)', module: 'jax.mjs', options: { jit: true, dtype: 'float32' }, tolerance: TOLERANCE.float32 },
  { id: 'jax-jit-f64', label: 'jax-js jit(grad) (wasm, float64)', module: 'jax.mjs', options: { jit: true, dtype: 'float64' }, tolerance: TOLERANCE.jax64 },
  { id: 'mathjs', label: 'math.js derivative + compile', module: 'mathjs.mjs', options: {}, tolerance: TOLERANCE.exact64 },
];
