// Logistic-regression loss (mean negative log-likelihood); the bench uses d = 50 features and
// m = 1000 samples. X is row-major m × d, flattened; y holds labels 0 or 1. Only w is
// differentiated: X and y are data, held constant.

/**
 * Mean over samples of softplus(zᵢ) − yᵢ zᵢ with zᵢ = Xᵢ · w.
 * @differentiable
 * @wrt w
 * @gradient logisticGrad
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
    // softplus(z) = log(1 + e^z), written so that e^z cannot overflow
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    loss += softplus - y[i] * z;
  }
  return loss / m;
}

/** Hand-written gradient of `logistic` with respect to w: Xᵀ(σ(Xw) − y) / m. */
export function logisticGrad(w: number[], X: number[], y: number[]): number[] {
  const d = w.length;
  const m = y.length;
  const g = new Array(d).fill(0);
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      z += X[i * d + j] * w[j];
    }
    const sigma = 1 / (1 + Math.exp(-z));
    const r = (sigma - y[i]) / m;
    for (let j = 0; j < d; j++) {
      g[j] += r * X[i * d + j];
    }
  }
  return g;
}
