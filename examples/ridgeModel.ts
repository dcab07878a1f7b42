// A class-based model, as small ML libraries write them: the training data and the
// regularisation strength are fields, the loss and its gradient are methods, and the loss calls
// another method (`this.predict`). Gradlens reads the fields as inputs held constant: `this.l2`
// at its initialiser, the data (set in the constructor) at the values given in `@at`.

export class RidgeRegression {
  /** Strength of the L2 penalty on the weights. */
  l2 = 0.1;
  xs: number[][];
  ys: number[];

  constructor(xs: number[][], ys: number[]) {
    this.xs = xs;
    this.ys = ys;
  }

  /** The model's prediction for one sample: w · x. */
  predict(w: number[], x: number[]): number {
    let z = 0;
    for (let j = 0; j < w.length; j++) z += w[j] * x[j];
    return z;
  }

  /**
   * Mean squared error of the predictions plus the L2 penalty, as a function of the weights.
   * @differentiable
   * @at w = [0.5, -0.25], this.xs = [[1, 2], [0.5, -1], [3, 0.25]], this.ys = [1, -0.5, 2]
   */
  loss(w: number[]): number {
    let total = 0;
    for (let i = 0; i < this.ys.length; i++) {
      const r = this.predict(w, this.xs[i]) - this.ys[i];
      total += r * r;
    }
    let penalty = 0;
    for (const wj of w) penalty += wj * wj;
    return total / this.ys.length + this.l2 * penalty;
  }

  /** Gradient of `loss` (paired by name): 2/n · Σ rᵢ xᵢ + 2·l2·w. */
  lossGrad(w: number[]): number[] {
    const n = this.ys.length;
    const grad = w.map((wj) => 2 * this.l2 * wj);
    for (let i = 0; i < n; i++) {
      const r = this.predict(w, this.xs[i]) - this.ys[i];
      for (let j = 0; j < w.length; j++) grad[j] += (2 / n) * r * this.xs[i][j];
    }
    return grad;
  }
}
