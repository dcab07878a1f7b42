// Source texts for the protocol tests. Rosenbrock at (1.5, -0.25): f = 625.25, ∂f/∂x = 1501,
// ∂f/∂y = -500; Hessian [[2802, -600], [-600, 200]].

export const ROSENBROCK_DOC = `/**
 * Rosenbrock's banana function.
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
`;

export const RIGHT_GRADIENT = `export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}
`;

/** ∂f/∂y is off by a factor of 2. */
export const WRONG_GRADIENT = `export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 100 * (y - x * x)];
}
`;

export function withGradientTag(doc: string, name: string): string {
  return doc.replace(' * @at x = 1.5', ` * @gradient ${name}\n * @at x = 1.5`);
}

/** Rosenbrock with its hand-written gradient tied by `@gradient`. */
export const ROSENBROCK_RIGHT = `${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${RIGHT_GRADIENT}`;
export const ROSENBROCK_WRONG = `${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${WRONG_GRADIENT}`;

/** A loop over an array: no readable closed form, checked at random points. */
export const SUM_OF_SQUARES = `/**
 * @differentiable
 */
export function sumSquares(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i] * w[i];
  }
  return s;
}

export function sumSquaresGrad(w: number[]): number[] {
  return w.map((wi) => 2 * wi);
}
`;

let counter = 0;
export function uri(name: string): string {
  return `file:///virtual/gradlens-test/${name}-${++counter}.ts`;
}

/** A file of `n` annotated functions, each with a correct hand-written gradient (about 12 lines each). */
export function manyFunctions(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(`/**
 * Function number ${i}.
 * @differentiable
 * @at x = ${(0.1 + (i % 7) * 0.3).toFixed(1)}, y = ${(0.5 + (i % 5) * 0.2).toFixed(1)}
 */
export function f${i}(x: number, y: number): number {
  const a = Math.sin(x * ${i % 3 + 1}) + y * y;
  return a * Math.exp(-y) + ${i};
}

export function f${i}Grad(x: number, y: number): [number, number] {
  return [${i % 3 + 1} * Math.cos(x * ${i % 3 + 1}) * Math.exp(-y), (2 * y - Math.sin(x * ${i % 3 + 1}) - y * y) * Math.exp(-y)];
}
`);
  }
  return parts.join('\n');
}
