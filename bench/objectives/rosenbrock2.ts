// Two-dimensional Rosenbrock function: the small scalar objective (the one math.js can handle).

/**
 * Rosenbrock's banana function.
 * @differentiable
 * @wrt x, y
 * @gradient rosenbrock2Grad
 */
export function rosenbrock2(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

/** Hand-written gradient of `rosenbrock2`: [∂f/∂x, ∂f/∂y]. */
export function rosenbrock2Grad(x: number, y: number): [number, number] {
  const a = y - x * x;
  return [-2 * (1 - x) - 400 * x * a, 200 * a];
}
