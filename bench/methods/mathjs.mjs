// math.js: symbolic `derivative` of the expression, then `compile`, evaluated per partial.
// It differentiates expressions, not programs (no loops or arrays), so only the small scalar
// objective applies.

let math;

export async function setup() {
  math = await import('mathjs');
  return { version: math.version };
}

const expressions = {
  rosenbrock2: { expr: '(1 - x)^2 + 100 * (y - x^2)^2', vars: ['x', 'y'] },
};

export function prepare(obj) {
  const e = expressions[obj.id];
  if (!e) return { notApplicable: 'math.js differentiates expressions only (no loops or arrays)' };
  const node = math.parse(e.expr);
  const partials = e.vars.map((v) => math.derivative(node, v).compile());
  const scope = {};
  e.vars.forEach((v, i) => (scope[v] = obj.args[i]));
  const run = () => partials.map((p) => p.evaluate(scope));
  return { run, flatten: (r) => Float64Array.from(r), precision: 'float64' };
}
