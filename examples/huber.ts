// The Huber loss of a regression: quadratic for small residuals, linear for large ones, so a few
// outliers do not dominate the fit. Its gradient clips each residual to ±delta.

/**
 * Mean Huber loss of the predictions against the targets, with threshold delta: ½·r² where
 * |r| ≤ delta, delta·(|r| − ½·delta) beyond. The targets and delta are held constant.
 * (The check points keep every residual away from ±delta, where the loss has a kink in its
 * second derivative only, and away from 0.)
 * @differentiable
 * @wrt pred
 * @at pred = [0.5, 2.5, -1.2, 0.1], target = [0.4, 0, 1, -0.3], delta = 1
 * @at pred = [3, -0.25, 0.7], target = [0.5, 0.25, -4], delta = 1.5
 */
export function huberLoss(pred: readonly number[], target: readonly number[], delta: number): number {
  let total = 0;
  for (let i = 0; i < pred.length; i++) {
    const r = pred[i] - target[i];
    if (Math.abs(r) <= delta) {
      total += 0.5 * r * r;
    } else {
      total += delta * (Math.abs(r) - 0.5 * delta);
    }
  }
  return total / pred.length;
}

/** Gradient of `huberLoss` in pred (paired by name): the residual clipped to [−delta, delta], over n. */
export function huberLossGrad(pred: readonly number[], target: readonly number[], delta: number): number[] {
  const n = pred.length;
  const grad: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = pred[i] - target[i];
    grad.push(Math.abs(r) <= delta ? r / n : (delta * Math.sign(r)) / n);
  }
  return grad;
}
