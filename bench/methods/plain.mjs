// The plain function and its hand-written gradient (bench/objectives/*.ts, transpiled as is).
// The function timed against itself shows the noise floor of the paired ratios (ideally 1.00).

import { bindArgs, flattenGradient } from '../lib/objectives.mjs';

export async function setup() {
  return {};
}

export function prepare(obj, options) {
  const { f, g, args } = obj;
  if (options.which === 'function') return { run: bindArgs(f, args), flatten: null, precision: 'float64' };
  return { run: bindArgs(g, args), flatten: (r) => flattenGradient(obj, r), precision: 'float64' };
}
