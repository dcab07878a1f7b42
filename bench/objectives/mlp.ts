// A 10-32-1 multilayer perceptron with tanh hidden units, mean squared error over the samples
// (the bench uses 100). W1 is row-major hidden × input; X is row-major samples × input.

/**
 * Mean over samples s of (b2 + Σⱼ W2[j] tanh(b1[j] + Σᵢ W1[j, i] X[s, i]) − y[s])².
 * @differentiable
 * @wrt W1, b1, W2, b2
 * @gradient mlpGrad
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

/** Hand-written gradient of `mlp`: [∂/∂W1, ∂/∂b1, ∂/∂W2, ∂/∂b2] by backpropagation. */
export function mlpGrad(W1: number[], b1: number[], W2: number[], b2: number, X: number[], y: number[]): [number[], number[], number[], number] {
  const hidden = b1.length;
  const inputs = W1.length / hidden;
  const m = y.length;
  const gW1 = new Array(W1.length).fill(0);
  const gb1 = new Array(hidden).fill(0);
  const gW2 = new Array(hidden).fill(0);
  let gb2 = 0;
  const h = new Float64Array(hidden);
  for (let s = 0; s < m; s++) {
    let out = b2;
    for (let j = 0; j < hidden; j++) {
      let a = b1[j];
      for (let i = 0; i < inputs; i++) {
        a += W1[j * inputs + i] * X[s * inputs + i];
      }
      h[j] = Math.tanh(a);
      out += W2[j] * h[j];
    }
    const dOut = (2 * (out - y[s])) / m;
    gb2 += dOut;
    for (let j = 0; j < hidden; j++) {
      gW2[j] += dOut * h[j];
      const dA = dOut * W2[j] * (1 - h[j] * h[j]);
      gb1[j] += dA;
      for (let i = 0; i < inputs; i++) {
        gW1[j * inputs + i] += dA * X[s * inputs + i];
      }
    }
  }
  return [gW1, gb1, gW2, gb2];
}
