// L2-regularised logistic regression: the training loss of a linear classifier over a small data
// set, and its hand-written gradient in the weights.

/** log(1 + e^z), in a form that overflows for neither sign of z. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function 1 / (1 + e^(−z)), the derivative of `softplus`. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Mean cross-entropy of the classifier p = sigmoid(X·w) against the 0/1 labels y, plus
 * ½·lambda·|w|². X is an n×d matrix stored row-major (d = w.length, n = y.length); the data X, y and
 * the regularisation strength are held constant, only the weights are differentiated. The first
 * column of X is all ones, so w[0] is the bias.
 * @differentiable
 * @wrt w
 * @at w = [0.5, -0.25, 0.1], X = [1, 0.2, -1.3, 1, -0.7, 0.4, 1, 1.5, 0.9, 1, -0.3, -0.8], y = [1, 0, 1, 0], lambda = 0.01
 * @at w = [-1, 2, 0.75], X = [1, 2, 1, 1, -1, -2, 1, 0.5, 0.5], y = [1, 0, 1], lambda = 0.1
 * @gradient logisticLossGradient
 */
export function logisticLoss(w: readonly number[], X: readonly number[], y: readonly number[], lambda: number): number {
  const d = w.length;
  const n = y.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      z += w[j] * X[i * d + j];
    }
    // −[y·log p + (1 − y)·log(1 − p)] simplifies to log(1 + e^z) − y·z
    total += softplus(z) - y[i] * z;
  }
  let penalty = 0;
  for (const wj of w) {
    penalty += wj * wj;
  }
  return total / n + 0.5 * lambda * penalty;
}

/** Gradient of `logisticLoss` in w: the mean of (p − y)·x over the samples, plus lambda·w. */
export function logisticLossGradient(w: readonly number[], X: readonly number[], y: readonly number[], lambda: number): number[] {
  const d = w.length;
  const n = y.length;
  const grad: number[] = new Array(d).fill(0);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      z += w[j] * X[i * d + j];
    }
    const residual = sigmoid(z) - y[i];
    for (let j = 0; j < d; j++) {
      grad[j] += (residual * X[i * d + j]) / n;
    }
  }
  for (let j = 0; j < d; j++) {
    grad[j] += lambda * w[j];
  }
  return grad;
}
