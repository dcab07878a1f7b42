// Black–Scholes price of a European call option, with hand-written Greeks.
//
// DELIBERATELY WRONG: `blackScholesGreeks` below computes rho without the factor T
// (rho = K·T·e^(−rT)·N(d2)). It only agrees with the true derivative when T = 1, so the check
// points use other maturities, and `gradlens check examples/` reports a GL001 on that component.
// This is the one example in the folder that is meant to fail.

/**
 * Error function by the series erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ · x / (1·3·5···(2n+1)).
 * Every term has the sign of x, so nothing cancels and the sum is accurate to double precision
 * (it needs about 2x² + 30 terms; beyond |x| = 6, erf is ±1 to double precision).
 */
export function erf(x: number): number {
  if (x > 6) {
    return 1;
  }
  if (x < -6) {
    return -1;
  }
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
      break;
    }
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

/** Standard normal density φ(x). */
export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal distribution function N(x). Its derivative is the density, so it is given as a
 * rule rather than differentiated through the series (Gradlens checks the rule against the body).
 * @derivative normPdf
 */
export function normCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.sqrt(2)));
}

/**
 * Black–Scholes price of a European call: spot S, strike K, volatility sigma, risk-free rate r,
 * time to expiry T in years. The Greeks delta, vega and rho are its gradient in S, sigma and r;
 * strike and maturity are held constant.
 * @differentiable
 * @wrt S, sigma, r
 * @at S = 100, K = 100, sigma = 0.2, r = 0.05, T = 0.5
 * @at S = 90, K = 105, sigma = 0.35, r = 0.01, T = 2
 * @gradient blackScholesGreeks
 */
export function blackScholesCall(S: number, K: number, sigma: number, r: number, T: number): number {
  const sqrtT = Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT);
  const d2 = d1 - sigma * sqrtT;
  return S * normCdf(d1) - K * Math.exp(-r * T) * normCdf(d2);
}

/** The Greeks [delta, vega, rho] of `blackScholesCall`, from the textbook formulas. */
export function blackScholesGreeks(S: number, K: number, sigma: number, r: number, T: number): [number, number, number] {
  const sqrtT = Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT);
  const d2 = d1 - sigma * sqrtT;
  const delta = normCdf(d1);
  const vega = S * normPdf(d1) * sqrtT;
  // BUG (deliberate): the factor T is missing; correct is K * T * Math.exp(-r * T) * normCdf(d2).
  const rho = K * Math.exp(-r * T) * normCdf(d2);
  return [delta, vega, rho];
}
