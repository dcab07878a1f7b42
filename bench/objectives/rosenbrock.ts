// Extended Rosenbrock function in n dimensions (the bench uses n = 1000).

/**
 * Sum over i of 100 (x[i+1] − x[i]²)² + (1 − x[i])².
 * @differentiable
 * @wrt x
 * @gradient rosenbrockGrad
 */
export function rosenbrock(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** Hand-written gradient of `rosenbrock`. */
export function rosenbrockGrad(x: number[]): number[] {
  const n = x.length;
  const g = new Array(n).fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return g;
}
