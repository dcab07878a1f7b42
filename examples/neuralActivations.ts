// The activation functions of a small neural-network library, written as most of them are: a table
// of `{ fn, derivative }` pairs, some as methods (the derivative reusing `this.fn`), some as arrows,
// one reading a parameter of its entry through `this`. The `@differentiable` on the table applies
// to every `fn`; each `derivative` beside it is the hand-written derivative Gradlens checks.

/**
 * @differentiable
 * @at x = 0.5
 * @at x = -1.3
 */
export const activations = {
  logistic: {
    fn(x: number): number {
      return 1 / (1 + Math.exp(-x));
    },
    derivative(x: number): number {
      const s = this.fn(x);
      return s * (1 - s);
    },
  },
  tanh: {
    fn: (x: number): number => Math.tanh(x),
    derivative: (x: number): number => 1 - Math.tanh(x) ** 2,
  },
  softplus: {
    fn: (x: number): number => Math.log(1 + Math.exp(x)),
    derivative: (x: number): number => 1 / (1 + Math.exp(-x)),
  },
  softsign: {
    fn: (x: number): number => x / (1 + Math.abs(x)),
    derivative: (x: number): number => 1 / (1 + Math.abs(x)) ** 2,
  },
  leakyRelu: {
    alpha: 0.01,
    fn(x: number): number {
      return x > 0 ? x : this.alpha * x;
    },
    derivative(x: number): number {
      return x > 0 ? 1 : this.alpha;
    },
  },
  // GELU, tanh approximation (as in BERT and GPT-2).
  gelu: {
    fn(x: number): number {
      const u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
      return 0.5 * x * (1 + Math.tanh(u));
    },
    derivative(x: number): number {
      const c = Math.sqrt(2 / Math.PI);
      const t = Math.tanh(c * (x + 0.044715 * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    },
  },
};
