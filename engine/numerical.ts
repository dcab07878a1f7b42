// Numerical derivatives: central differences with a step chosen per component (or per direction)
// and Richardson extrapolation. Used as the independent witness of the gradient check, and in the
// methods view.

/** Central difference of `f` at `x` along component `i` with step `h`. */
export function centralDifference(f: (x: number[]) => number, x: number[], i: number, h: number): number {
  const xp = x.slice();
  const xm = x.slice();
  xp[i] = x[i] + h;
  xm[i] = x[i] - h;
  // The step actually taken, after rounding x ± h, is what divides.
  return (f(xp) - f(xm)) / (xp[i] - xm[i]);
}

/** One-sided (forward) difference, for the error plot. */
export function forwardDifference(f: (x: number[]) => number, x: number[], i: number, h: number): number {
  const xp = x.slice();
  xp[i] = x[i] + h;
  return (f(xp) - f(x)) / (xp[i] - x[i]);
}

/**
 * Central differences with Richardson extrapolation: D(h) and D(h/2) combine to cancel the h²
 * error term. The step is scaled per component to the size of x[i] (ε^(1/3)·max(1, |x_i|) is the
 * optimum for central differences, taken a little larger because extrapolation halves it).
 */
export function richardsonDerivative(f: (x: number[]) => number, x: number[], i: number): number {
  const h = 1e-3 * Math.max(1, Math.abs(x[i]));
  const d1 = centralDifference(f, x, i, h);
  const d2 = centralDifference(f, x, i, h / 2);
  return (4 * d2 - d1) / 3;
}

export function numericalGradient(f: (x: number[]) => number, x: number[]): number[] {
  return x.map((_, i) => richardsonDerivative(f, x, i));
}

/**
 * Richardson-extrapolated central difference of `g` at 0 with step `h`: the derivative of
 * t ↦ f(x + t·v) when g(t) = f(x + t·v) (a directional derivative; the step chosen per direction).
 */
export function richardsonAlong(g: (t: number) => number, h: number): number {
  const d1 = (g(h) - g(-h)) / (2 * h);
  const d2 = (g(h / 2) - g(-h / 2)) / h;
  return (4 * d2 - d1) / 3;
}
