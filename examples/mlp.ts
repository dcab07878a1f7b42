// A small multilayer perceptron (inputs → tanh hidden layer → one linear output) trained by
// mean squared error. All weights live in one flat parameter vector `theta`, as an optimiser
// (gradient descent, L-BFGS) wants them, and the gradient is hand-written backpropagation.
//
// Layout of theta, for `inputs` inputs and `hidden` hidden units:
//   W1 (hidden × inputs, row-major) | b1 (hidden) | w2 (hidden) | b2 (1)

/**
 * Where b1 starts in theta. An index computation, not a quantity to differentiate.
 * @nondifferentiable
 */
export function b1Offset(inputs: number, hidden: number): number {
  return hidden * inputs;
}

/**
 * Where w2 starts in theta.
 * @nondifferentiable
 */
export function w2Offset(inputs: number, hidden: number): number {
  return hidden * inputs + hidden;
}

/**
 * Half the mean squared error of the network over n samples: X is n × inputs row-major, y has the
 * n targets. The data and the architecture (inputs, hidden) are held constant; theta is learned.
 * Here 2 inputs and 3 hidden units make 3·2 + 3 + 3 + 1 = 13 parameters.
 * @differentiable
 * @wrt theta
 * @at theta = [0.1, -0.3, 0.25, 0.4, -0.5, 0.2, 0.05, -0.1, 0.15, 0.7, -0.6, 0.3, 0.02], X = [0.5, -1, 1.5, 0.3, -0.8, 0.9, 0.2, 0.1], y = [0.3, -0.2, 0.5, 0.1], inputs = 2, hidden = 3
 * @gradient mlpLossGradient
 */
export function mlpLoss(theta: readonly number[], X: readonly number[], y: readonly number[], inputs: number, hidden: number): number {
  const b1 = b1Offset(inputs, hidden);
  const w2 = w2Offset(inputs, hidden);
  const b2 = w2 + hidden;
  const n = y.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let out = theta[b2];
    for (let k = 0; k < hidden; k++) {
      let a = theta[b1 + k];
      for (let j = 0; j < inputs; j++) {
        a += theta[k * inputs + j] * X[i * inputs + j];
      }
      out += theta[w2 + k] * Math.tanh(a);
    }
    const err = out - y[i];
    total += 0.5 * err * err;
  }
  return total / n;
}

/** Backpropagation through `mlpLoss`: the forward pass keeps the activations, then the error flows back. */
export function mlpLossGradient(theta: readonly number[], X: readonly number[], y: readonly number[], inputs: number, hidden: number): number[] {
  const b1 = b1Offset(inputs, hidden);
  const w2 = w2Offset(inputs, hidden);
  const b2 = w2 + hidden;
  const n = y.length;
  const grad: number[] = new Array(theta.length).fill(0);
  const act: number[] = new Array(hidden).fill(0);
  for (let i = 0; i < n; i++) {
    let out = theta[b2];
    for (let k = 0; k < hidden; k++) {
      let a = theta[b1 + k];
      for (let j = 0; j < inputs; j++) {
        a += theta[k * inputs + j] * X[i * inputs + j];
      }
      act[k] = Math.tanh(a);
      out += theta[w2 + k] * act[k];
    }
    const dOut = (out - y[i]) / n;
    grad[b2] += dOut;
    for (let k = 0; k < hidden; k++) {
      grad[w2 + k] += dOut * act[k];
      // tanh'(a) = 1 − tanh(a)²
      const dA = dOut * theta[w2 + k] * (1 - act[k] * act[k]);
      grad[b1 + k] += dA;
      for (let j = 0; j < inputs; j++) {
        grad[k * inputs + j] += dA * X[i * inputs + j];
      }
    }
  }
  return grad;
}
