// @jax-js/jax: `grad`, eager or under `jit`, on the wasm device, written the idiomatic
// vectorised (NumPy) way. jax-js arrays are reference-counted: every function takes ownership
// of its arguments, so an array used twice is passed as `a.ref` the first time.
//
// In Node 20, jax-js 0.1.25 expects browser globals: `navigator` and `Float16Array` are stubbed
// (only their existence is checked for the wasm device). Its WebAssembly memory grows and detaches
// buffers, which slows plain typed-array code in the same process: the bench runs it in a
// process of its own.

let jax;
let np;
let nn;
let dtype;
let dtypeName;
let useJit;

export async function setup(options) {
  useJit = Boolean(options.jit);
  dtypeName = options.dtype ?? 'float32';
  if (typeof globalThis.navigator === 'undefined') {
    globalThis.navigator = { hardwareConcurrency: 1, userAgent: `Node.js/${process.versions.node}`, language: 'en' };
  }
  if (typeof globalThis.Float16Array === 'undefined') {
    // Never used for float32/float64 arrays; jax-js only needs the constructor to exist.
    globalThis.Float16Array = class Float16Array extends Float32Array {};
  }
  jax = await import('@jax-js/jax');
  const devices = await jax.init('wasm', 'cpu');
  if (!devices.includes('wasm')) throw new Error(`wasm device unavailable (devices: ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  np = jax.numpy;
  nn = jax.nn;
  dtype = dtypeName === 'float64' ? np.float64 : np.float32;
  return { device: 'wasm', jit: useJit, dtype: dtypeName };
}

const typed = (xs) => (dtypeName === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs));
const arr = (xs, shape) => {
  const a = np.array(typed(xs), { dtype });
  return shape ? a.reshape(shape) : a;
};
const scalar = (v) => np.array(typed([v]), { dtype }).reshape([]);

/** Reads a gradient (an Array or a list of them) back into JavaScript, releasing jax-js's memory. */
function readOut(r) {
  if (Array.isArray(r)) return r.map(readOut);
  const data = r.dataSync();
  if (r.refCount > 0) r.dispose();
  return data;
}

const builders = {
  rosenbrock([x]) {
    const n = x.length;
    const f = (xj) => {
      const head = xj.ref.slice([0, n - 1]);
      const tail = xj.slice([1, n]);
      const a = tail.sub(np.square(head.ref));
      const b = np.subtract(1, head);
      return np.sum(np.square(a).mul(100).add(np.square(b)));
    };
    return { f, argnums: 0, inputs: () => [arr(x)] };
  },

  rosenbrock2([x, y]) {
    const f = (xj, yj) => np.square(np.subtract(1, xj.ref)).add(np.square(yj.sub(np.square(xj))).mul(100));
    return { f, argnums: [0, 1], inputs: () => [scalar(x), scalar(y)] };
  },

  logistic([w, X, y]) {
    const d = w.length;
    const m = y.length;
    const Xj = arr(X, [m, d]);
    const yj = arr(y);
    const f = (wj, Xa, ya) => {
      const z = np.matmul(Xa, wj);
      return np.mean(nn.softplus(z.ref).sub(ya.mul(z)));
    };
    return { f, argnums: 0, inputs: () => [arr(w), Xj.ref, yj.ref] };
  },

  mlp([W1, b1, W2, b2, X, y]) {
    const hidden = b1.length;
    const inputs = W1.length / hidden;
    const m = y.length;
    const Xj = arr(X, [m, inputs]);
    const yj = arr(y);
    const f = (W1j, b1j, W2j, b2j, Xa, ya) => {
      const h = np.tanh(np.matmul(Xa, W1j.transpose()).add(b1j));
      const out = np.matmul(h, W2j).add(b2j);
      return np.mean(np.square(out.sub(ya)));
    };
    return {
      f,
      argnums: [0, 1, 2, 3],
      inputs: () => [arr(W1, [hidden, inputs]), arr(b1), arr(W2), scalar(b2), Xj.ref, yj.ref],
    };
  },

  gmm([alphas, means, icf, x, wishartGamma, wishartM]) {
    const K = alphas.length;
    const D = means.length / K;
    const icfSize = icf.length / K;
    const N = x.length / D;
    const nLow = icfSize - D;
    const xj = arr(x, [N, D]);
    // Constant 0/1 matrices placing Q's diagonal and ADBench's column-ordered lower triangle into Q (row-major D × D)
    const pDiag = new Array(D * D * D).fill(0);
    for (let r = 0; r < D; r++) pDiag[r * D * D + r * D + r] = 1;
    const pLow = new Array(Math.max(nLow, 1) * D * D).fill(0);
    let l = 0;
    for (let c = 0; c < D; c++) for (let r = c + 1; r < D; r++) pLow[l++ * D * D + r * D + c] = 1;
    const pDiagJ = arr(pDiag, [D, D * D]);
    const pLowJ = arr(pLow, [Math.max(nLow, 1), D * D]);
    const constant = -N * D * 0.5 * Math.log(2 * Math.PI);
    const f = (alphasJ, meansJ, icfJ, xa, pDiagA, pLowA) => {
      const logDiag = icfJ.ref.slice([], [0, D]);
      const low = icfJ.slice([], [D, icfSize]);
      const qdiag = np.exp(logDiag.ref);
      const Q = np.matmul(qdiag.ref, pDiagA).add(np.matmul(low.ref, pLowA)).reshape([1, K, D, D]);
      const xc = xa.reshape([N, 1, D]).sub(meansJ.reshape([1, K, D]));
      const z = np.sum(xc.reshape([N, K, 1, D]).mul(Q), 3);
      const sumQ = np.sum(logDiag, 1);
      const mainTerm = alphasJ.ref.add(sumQ.ref).sub(np.sum(np.square(z), 2).mul(0.5));
      const slse = np.sum(nn.logsumexp(mainTerm, 1));
      const frobenius = np.sum(np.square(qdiag), 1).add(np.sum(np.square(low), 1));
      const prior = np.sum(frobenius.mul(0.5 * wishartGamma * wishartGamma).sub(sumQ.mul(wishartM)));
      return slse.sub(nn.logsumexp(alphasJ).mul(N)).add(prior).add(constant);
    };
    return {
      f,
      argnums: [0, 1, 2],
      inputs: () => [arr(alphas), arr(means, [K, D]), arr(icf, [K, icfSize]), xj.ref, pDiagJ.ref, pLowJ.ref],
    };
  },
};

export function prepare(obj) {
  const build = builders[obj.id];
  if (!build) return { notApplicable: 'no jax-js version of this objective' };
  const { f, argnums, inputs } = build(obj.args);
  const g = useJit ? jax.jit(jax.grad(f, { argnums })) : jax.grad(f, { argnums });
  const run = () => readOut(g(...inputs()));
  const toFlat = (r) => (Array.isArray(r) ? Float64Array.from(r.flatMap((a) => Array.from(a))) : Float64Array.from(r));
  return { run, flatten: toFlat, precision: dtypeName };
}
