// TensorFlow.js (@tensorflow/tfjs-core + the cpu backend), written the idiomatic vectorised way
// with tf.grad / tf.grads. float32: TensorFlow.js has no float64.
//
// tfjs-core alone registers no gradients in Node ("gradient function not found"); importing
// @tensorflow/tfjs registers them as a side effect. That is why the peers live in bench/'s own
// package and not among the extension's dependencies.

let tf;

export const precision = 'float32';

export async function setup() {
  tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') throw new Error(`backend is ${tf.getBackend()}, not cpu`);
  return { version: tf.version_core, backend: 'cpu' };
}

const flat = (arrays) => Float64Array.from(arrays.flatMap((a) => Array.from(a)));

const builders = {
  rosenbrock([x]) {
    const n = x.length;
    const f = (xt) => {
      const head = xt.slice(0, n - 1);
      const tail = xt.slice(1, n - 1);
      return tail.sub(head.square()).square().mul(100).add(tf.scalar(1).sub(head).square()).sum();
    };
    const g = tf.grad(f);
    return () => tf.tidy(() => g(tf.tensor1d(x)).dataSync());
  },

  rosenbrock2([x, y]) {
    const f = (xt, yt) => tf.scalar(1).sub(xt).square().add(yt.sub(xt.square()).square().mul(100));
    const g = tf.grads(f);
    return () => tf.tidy(() => g([tf.scalar(x), tf.scalar(y)]).map((t) => t.dataSync()[0]));
  },

  logistic([w, X, y]) {
    const d = w.length;
    const m = y.length;
    const Xt = tf.tensor2d(X, [m, d]);
    const yt = tf.tensor1d(y);
    const f = (wt) => {
      const z = Xt.matMul(wt.reshape([d, 1])).reshape([m]);
      return tf.softplus(z).sub(yt.mul(z)).mean();
    };
    const g = tf.grad(f);
    return () => tf.tidy(() => g(tf.tensor1d(w)).dataSync());
  },

  mlp([W1, b1, W2, b2, X, y]) {
    const hidden = b1.length;
    const inputs = W1.length / hidden;
    const m = y.length;
    const Xt = tf.tensor2d(X, [m, inputs]);
    const yt = tf.tensor1d(y);
    const f = (W1t, b1t, W2t, b2t) => {
      const h = tf.tanh(Xt.matMul(W1t, false, true).add(b1t));
      const out = h.matMul(W2t.reshape([hidden, 1])).reshape([m]).add(b2t);
      return out.sub(yt).square().mean();
    };
    const g = tf.grads(f);
    return () =>
      tf.tidy(() => g([tf.tensor2d(W1, [hidden, inputs]), tf.tensor1d(b1), tf.tensor1d(W2), tf.scalar(b2)]).map((t) => t.dataSync()));
  },

  gmm([alphas, means, icf, x, wishartGamma, wishartM]) {
    const K = alphas.length;
    const D = means.length / K;
    const icfSize = icf.length / K;
    const N = x.length / D;
    const nLow = icfSize - D;
    const xt = tf.tensor2d(x, [N, D]);
    // Constant 0/1 matrices placing Q's diagonal and ADBench's column-ordered lower triangle into Q (row-major D × D)
    const pDiag = new Float32Array(D * D * D);
    for (let r = 0; r < D; r++) pDiag[r * D * D + r * D + r] = 1;
    const pLow = new Float32Array(Math.max(nLow, 1) * D * D);
    let l = 0;
    for (let c = 0; c < D; c++) for (let r = c + 1; r < D; r++) pLow[l++ * D * D + r * D + c] = 1;
    const pDiagT = tf.tensor2d(pDiag, [D, D * D]);
    const pLowT = tf.tensor2d(pLow, [Math.max(nLow, 1), D * D]);
    const constant = -N * D * 0.5 * Math.log(2 * Math.PI);
    const f = (alphasT, meansT, icfT) => {
      const logDiag = icfT.slice([0, 0], [K, D]);
      const low = icfT.slice([0, D], [K, nLow]);
      const qdiag = logDiag.exp();
      const Q = qdiag.matMul(pDiagT).add(low.matMul(pLowT)).reshape([1, K, D, D]);
      const xc = xt.reshape([N, 1, D]).sub(meansT.reshape([1, K, D]));
      const z = xc.reshape([N, K, 1, D]).mul(Q).sum(3);
      const sumQ = logDiag.sum(1);
      const mainTerm = alphasT.add(sumQ).sub(z.square().sum(2).mul(0.5));
      const slse = tf.logSumExp(mainTerm, 1).sum();
      const frobenius = qdiag.square().sum(1).add(low.square().sum(1));
      const prior = frobenius.mul(0.5 * wishartGamma * wishartGamma).sub(sumQ.mul(wishartM)).sum();
      return slse.sub(tf.logSumExp(alphasT).mul(N)).add(prior).add(constant);
    };
    const g = tf.grads(f);
    return () =>
      tf.tidy(() => g([tf.tensor1d(alphas), tf.tensor2d(means, [K, D]), tf.tensor2d(icf, [K, icfSize])]).map((t) => t.dataSync()));
  },
};

export function prepare(obj) {
  const build = builders[obj.id];
  if (!build) return { notApplicable: 'no TensorFlow.js version of this objective' };
  const run = build(obj.args);
  return {
    run,
    flatten: (r) => (r instanceof Float32Array ? Float64Array.from(r) : Array.isArray(r) ? (typeof r[0] === 'number' ? Float64Array.from(r) : flat(r)) : flat([r])),
    precision,
  };
}
