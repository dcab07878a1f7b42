// Central finite differences, (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h per differentiated component,
// with h = ∛ε · max(1, |xᵢ|) (the step that balances truncation and rounding error): 2n calls.

export async function setup() {
  return {};
}

const STEP = Math.cbrt(Number.EPSILON);

export function prepare(obj) {
  const { f } = obj;
  // Own copies: the arrays are perturbed in place and restored
  const args = obj.args.map((a) => (Array.isArray(a) ? a.slice() : a));
  const n = obj.params.reduce((s, p, i) => s + (p.wrt ? (p.kind === 'arr' ? args[i].length : 1) : 0), 0);
  const run = () => {
    const g = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < args.length; i++) {
      if (!obj.params[i].wrt) continue;
      if (obj.params[i].kind === 'arr') {
        const a = args[i];
        for (let j = 0; j < a.length; j++) {
          const x0 = a[j];
          const h = STEP * Math.max(1, Math.abs(x0));
          const xp = x0 + h;
          const xm = x0 - h;
          a[j] = xp;
          const fp = f(...args);
          a[j] = xm;
          const fm = f(...args);
          a[j] = x0;
          g[k++] = (fp - fm) / (xp - xm);
        }
      } else {
        const x0 = args[i];
        const h = STEP * Math.max(1, Math.abs(x0));
        const xp = x0 + h;
        const xm = x0 - h;
        args[i] = xp;
        const fp = f(...args);
        args[i] = xm;
        const fm = f(...args);
        args[i] = x0;
        g[k++] = (fp - fm) / (xp - xm);
      }
    }
    return g;
  };
  return { run, flatten: (r) => r, precision: 'float64, O(h²) truncation', approximate: true };
}
